// GET /api/ping — an alias of /api/health/ready, kept for the e2e harness and checks set up before it.
export { GET, POST, PUT, PATCH, DELETE } from "../health/ready/route";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";
