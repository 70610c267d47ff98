/**
 * GET /api/health/ready — readiness for load balancers (and the e2e harness, through its alias
 * /api/ping): 200 when the database answers within 2 s and has the newest migration, else 503
 * UNAVAILABLE with Retry-After. No token. See docs/deploy.md › Health endpoints.
 */
import { methodNotAllowed, route } from "@/server/http/route";
import { checkReadiness } from "@/server/services/system/check-readiness";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route("GET /api/health/ready", { auth: "public" }, async ({ app }) =>
  Response.json(await checkReadiness(app), { headers: { "Cache-Control": "no-store" } }),
);

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
