// GET /api/ping — liveness for load balancers and the e2e harness: the process answers and its database does too.
import { sql } from "drizzle-orm";
import { getDb } from "@/server/db";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    await (await getDb()).execute(sql`SELECT 1`);
    return Response.json({ ok: true });
  } catch {
    return Response.json({ ok: false, code: "UNAVAILABLE", message: "The database is not reachable." }, { status: 503 });
  }
}
