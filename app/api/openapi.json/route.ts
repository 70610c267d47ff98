// GET /api/openapi.json — bot authors and tooling: the OpenAPI 3.1 document of the bot, cron and subscription routes. Public.
import { methodNotAllowed, route } from "@/server/http/route";
import { buildOpenApiDocument } from "@/server/openapi/document";

export const dynamic = "force-dynamic";

export const GET = route("GET /api/openapi.json", { auth: "public" }, async ({ app }) => Response.json(buildOpenApiDocument(app.config.publicUrl)));

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
