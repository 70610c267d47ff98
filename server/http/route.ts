/**
 * The one wrapper for every route handler under app/api and app/sub. It supplies the app context
 * (server/composition), authenticates the caller (`bot`: bearer + optional HMAC, bot-auth.ts;
 * `cron`: bearer CRON_SECRET; `public`: nobody), validates the path params and the JSON body with
 * zod (a 400 naming each field), and maps every error to `{code, message, fields?}` with its status;
 * anything unexpected is logged and becomes a generic 500 without internal text. Handlers stay thin:
 * call one service, shape the answer.
 *
 * `handler.withApp(app)` is the same handler on another context: tests pass theirs this way. When the
 * context cannot be built (the database is down at start-up) every route answers 503 UNAVAILABLE.
 */
import type { z } from "zod";
import { getAppContext, type AppContext } from "@/server/composition/app-context";
import { AppError, badRequest, parseInput, toAppError } from "@/server/errors";
import { logger as processLogger, type Logger } from "@/server/logger";
import { requireBearer } from "./bearer";
import { verifyBotRequest } from "./bot-auth";

export type RouteAuth = "public" | "bot" | "cron";

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

export type RouteOptions<B extends Schema, P extends Schema> = { auth: RouteAuth; body?: B; params?: P };

export type NextHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
/** `withApp` also takes a function, for the start-up path (building the context may fail). */
export type RouteHandler = NextHandler & { withApp(app: AppContext | (() => Promise<AppContext>)): NextHandler };

export function errorResponse(logger: Logger, error: unknown, route: string): Response {
  const appError = toAppError(error);
  if (!(error instanceof AppError)) logger.error("route handler failed", { route, error });
  const headers = appError.code === "UNAUTHORIZED" ? { "WWW-Authenticate": 'Bearer realm="x3ui-fleet"' } : undefined;
  return Response.json(appError.toJSON(), { status: appError.httpStatus, headers });
}

function parseJson<S extends z.ZodType>(schema: S, rawBody: string): z.output<S> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw badRequest({ body: "must be a JSON document" });
  }
  return parseInput(schema, body);
}

async function authenticate(app: AppContext, auth: RouteAuth, request: Request, rawBody: string): Promise<void> {
  if (auth === "bot") await verifyBotRequest(app, app.config.bot, request, rawBody);
  else if (auth === "cron") requireBearer(request, app.config.cron.secret, "CRON_SECRET");
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
        return errorResponse(processLogger, new AppError("UNAVAILABLE", "The service is starting or its database is not reachable."), name);
      }
      try {
        // The signature covers the exact bytes, so a bot route reads the body once, before anything parses it.
        const rawBody = options.auth === "bot" || options.body ? await request.text() : "";
        await authenticate(app, options.auth, request, rawBody);
        const params = (options.params ? parseInput(options.params, await context.params) : undefined) as Output<P>;
        const body = (options.body ? parseJson(options.body, rawBody) : undefined) as Output<B>;
        return await handler({ app, request, body, params });
      } catch (error) {
        return errorResponse(app.logger, error, name);
      }
    };
  return Object.assign(bind(getAppContext), { withApp: (app: AppContext | (() => Promise<AppContext>)) => bind(typeof app === "function" ? app : async () => app) });
}
