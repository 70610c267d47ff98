// GET /api/ping — liveness for load balancers and the e2e harness: the process answers and its database does too (else 503).
import { methodNotAllowed, route } from "@/server/http/route";
import { checkDatabase } from "@/server/services/system/check-database";

export const dynamic = "force-dynamic";

export const GET = route("GET /api/ping", { auth: "public" }, async ({ app }) => Response.json(await checkDatabase(app)));

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
