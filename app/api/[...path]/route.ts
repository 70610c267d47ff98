// ANY /api/* that no route serves — callers of the JSON API get a JSON 404 rather than Next's HTML page.
import { apiNotFound } from "@/server/http/route";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = apiNotFound;
