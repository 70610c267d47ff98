/**
 * The dashboard's tRPC over HTTP. Every procedure needs a signed-in admin, so the session is
 * resolved from the cookie first and a request that carries a body without one is refused before a
 * byte of it is read; a signed-in admin's body is read capped at BODY_LIMITS.trpc (413 past it).
 */
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { AppContext } from "@/server/composition/app-context";
import { AppError } from "@/server/errors";
import { localeOfRequest } from "@/server/http/messages";
import { BODY_LIMITS, readBodyBytes } from "@/server/http/read-body";
import { ref } from "@/server/messages";
import type { Actor } from "@/server/services/actor";
import { appRouter } from "./root";

const BODYLESS = new Set(["GET", "HEAD"]);

export async function handleTrpcRequest(app: AppContext, request: Request, resolveActor: () => Promise<Actor | null>): Promise<Response> {
  const actor = await resolveActor();
  let req = request;
  if (!BODYLESS.has(request.method)) {
    if (!actor) throw new AppError("UNAUTHORIZED", ref("error.signIn"));
    const body = await readBodyBytes(request, BODY_LIMITS.trpc);
    req = new Request(request.url, { method: request.method, headers: request.headers, body });
  }
  return fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => ({ app, actor, locale: localeOfRequest(request) }) });
}
