/**
 * GET /api/health/live — liveness for a process supervisor: 200 whenever this process serves HTTP.
 * It deliberately bypasses the route wrapper, which first builds the app context (and so needs the
 * database): a replica whose database is away is not ready, but restarting it would not help.
 */
import { methodNotAllowed } from "@/server/http/route";

export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ status: "live", uptimeSeconds: Math.round(process.uptime()) }, { headers: { "Cache-Control": "no-store" } });
}

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
