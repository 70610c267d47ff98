// GET /api/openapi.json — bot authors and tooling: the OpenAPI 3.1 document of the bot, cron and subscription routes. Public.
import { getEnv } from "@/server/env";
import { buildOpenApiDocument } from "@/server/openapi/document";

export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json(buildOpenApiDocument(getEnv().PUBLIC_URL));
}
