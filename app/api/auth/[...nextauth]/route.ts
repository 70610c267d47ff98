// GET|POST /api/auth/* — Auth.js endpoints (sign-in callback, session, sign-out, CSRF) for the dashboard.
// POST bodies are a handful of form fields: read capped at BODY_LIMITS.signIn (413 past it) before Auth.js sees them.
import { NextRequest } from "next/server";
import { handlers } from "@/server/auth/config";
import { BODY_LIMITS, readBodyBytes } from "@/server/http/read-body";
import { methodNotAllowed, route } from "@/server/http/route";

export const GET = handlers.GET;

export const POST = route("POST /api/auth/*", { auth: "public" }, async ({ request }) =>
  handlers.POST(new NextRequest(request.url, { method: "POST", headers: request.headers, body: await readBodyBytes(request, BODY_LIMITS.signIn) })),
);

export const { PUT, PATCH, DELETE } = methodNotAllowed("GET", "POST");
