/**
 * The one wrapper for every route handler under app/api and app/sub. It supplies the app context
 * (server/composition), authenticates the caller (`bot`: bearer + optional HMAC, bot-auth.ts;
 * `cron`: bearer CRON_SECRET; `metrics`: bearer METRICS_TOKEN; `public`: nobody) from the headers
 * before reading any body, reads the body as a stream capped at `maxBodyBytes` (413 past it, read-body.ts), validates the path params
 * and the JSON body with zod (a 400 naming each field), and maps every error to
 * `{code, message, fields?}` with its status (and `Retry-After` when repeating the request is the
 * answer); an unreachable database is a 503 UNAVAILABLE; anything else unexpected is logged and
 * becomes a generic 500 without internal text. Handlers stay thin: call one service, shape the
 * answer. `methodNotAllowed` gives a route file JSON 405s with `Allow` for the methods it does
 * not serve.
 *
 * `handler.withApp(app)` is the same handler on another context: tests pass theirs this way. When the
 * context cannot be built (the database is down at start-up) every route answers 503 UNAVAILABLE.
 */
import type { z } from "zod";
import { getAppContext, type AppContext } from "@/server/composition/app-context";
import { AppError, badRequest, parseInput, toAppError } from "@/server/errors";
import { logger as processLogger, type Logger } from "@/server/logger";
import { ref } from "@/server/messages";
import { bearerToken, requireBearer } from "./bearer";
import { verifyBotSignature } from "./bot-auth";
import { errorBody } from "./messages";
import { BODY_LIMITS, readBodyText } from "./read-body";

export type RouteAuth = "public" | "bot" | "cron" | "metrics";

type Schema = z.ZodType | undefined;
type Output<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export type RouteInput<B extends Schema, P extends Schema> = {
  app: AppContext;
  request: Request;
  /** The JSON body, validated; present when the route declares `body`. */
  body: Output<B>;
  /** The path params, validated; present when the route declares `params`. */
  params: Output<P>;
};

export type RouteOptions<B extends Schema, P extends Schema> = {
  auth: RouteAuth;
  body?: B;
  params?: P;
  /** The most a body may weigh; BODY_LIMITS.bot unless the route says otherwise. */
  maxBodyBytes?: number;
};

export type NextHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
/** `withApp` also takes a function, for the start-up path (building the context may fail). */
export type RouteHandler = NextHandler & { withApp(app: AppContext | (() => Promise<AppContext>)): NextHandler };

function errorResponse(logger: Logger, error: unknown, route: string): Response {
  const appError = toAppError(error);
  if (appError.code === "INTERNAL") logger.error("route handler failed", { route, error });
  else if (!(error instanceof AppError)) logger.warn("route handler could not reach the database", { route, error });
  const headers: Record<string, string> = {};
  if (appError.code === "UNAUTHORIZED") headers["WWW-Authenticate"] = 'Bearer realm="x3ui-fleet"';
  if (appError.retryAfterSeconds) headers["Retry-After"] = String(appError.retryAfterSeconds);
  return Response.json(errorBody(appError), { status: appError.httpStatus, headers });
}

function parseJson<S extends z.ZodType>(schema: S, rawBody: string): z.output<S> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw badRequest({ body: ref("validation.json") });
  }
  return parseInput(schema, body);
}

/** What the headers alone can decide, before a byte of the body is read; a bot token also spends its rate limit here. */
async function authenticateHeaders(app: AppContext, auth: RouteAuth, request: Request): Promise<void> {
  if (auth === "bot") {
    requireBearer(request, app.config.bot.token, "BOT_API_TOKEN");
    await app.rateLimiter.hit("bot", bearerToken(request) ?? "");
  } else if (auth === "cron") requireBearer(request, app.config.cron.secret, "CRON_SECRET");
  else if (auth === "metrics") requireBearer(request, app.config.metricsToken, "METRICS_TOKEN");
}

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

function methodNotAllowedResponse(allowed: readonly HttpMethod[]): Response {
  const allow = [...allowed, ...(allowed.includes("GET") && !allowed.includes("HEAD") ? ["HEAD"] : []), "OPTIONS"].join(", ");
  const error = new AppError("METHOD_NOT_ALLOWED", `This path answers ${allow} only.`);
  return Response.json(errorBody(error), { status: error.httpStatus, headers: { Allow: allow } });
}

const notFoundHandler: NextHandler = async () => {
  const error = new AppError("NOT_FOUND", "No API route at this path.");
  return Response.json(errorBody(error), { status: error.httpStatus });
};

/** For the catch-all under app/api: every method of an unknown path is a JSON 404. */
export const apiNotFound: Record<Exclude<HttpMethod, "HEAD">, NextHandler> = {
  GET: notFoundHandler,
  POST: notFoundHandler,
  PUT: notFoundHandler,
  PATCH: notFoundHandler,
  DELETE: notFoundHandler,
};

/**
 * Handlers for every method a route file does not export, so a wrong method gets a JSON 405 with
 * `Allow` instead of Next's empty one: `export const { GET, PUT, PATCH, DELETE } = methodNotAllowed("POST");`.
 */
export function methodNotAllowed(...allowed: HttpMethod[]): Record<Exclude<HttpMethod, "HEAD">, NextHandler> {
  const handler: NextHandler = async () => methodNotAllowedResponse(allowed);
  return { GET: handler, POST: handler, PUT: handler, PATCH: handler, DELETE: handler };
}

/** `name` is "METHOD /path" as it appears in the logs. */
export function route<B extends Schema = undefined, P extends Schema = undefined>(
  name: string,
  options: RouteOptions<B, P>,
  handler: (input: RouteInput<B, P>) => Promise<Response>,
): RouteHandler {
  const bind =
    (appFor: () => Promise<AppContext>): NextHandler =>
    async (request, context) => {
      let app: AppContext;
      try {
        app = await appFor();
      } catch (error) {
        processLogger.error("app context unavailable", { route: name, error });
        return errorResponse(processLogger, new AppError("UNAVAILABLE", "The service is starting or its database is not reachable.", { retryAfterSeconds: 5 }), name);
      }
      try {
        await authenticateHeaders(app, options.auth, request);
        // The signature covers the exact bytes, so a bot route reads the body once, before anything parses it.
        const rawBody = options.auth === "bot" || options.body ? await readBodyText(request, options.maxBodyBytes ?? BODY_LIMITS.bot) : "";
        if (options.auth === "bot") await verifyBotSignature(app, app.config.bot, request, rawBody);
        const params = (options.params ? parseInput(options.params, await context.params) : undefined) as Output<P>;
        const body = (options.body ? parseJson(options.body, rawBody) : undefined) as Output<B>;
        return await handler({ app, request, body, params });
      } catch (error) {
        return errorResponse(app.logger, error, name);
      }
    };
  return Object.assign(bind(getAppContext), { withApp: (app: AppContext | (() => Promise<AppContext>)) => bind(typeof app === "function" ? app : async () => app) });
}
