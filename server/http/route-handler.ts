/**
 * One wrapper for every JSON route handler: an AppError becomes `{code, message, fields?}` with
 * its mapped status; anything else is logged and becomes a generic 500 without internal text.
 */
import { AppError, toAppError } from "@/server/errors";
import { logger } from "@/server/logger";

export function errorResponse(error: unknown, route: string): Response {
  const appError = toAppError(error);
  if (!(error instanceof AppError)) logger.error("route handler failed", { route, error });
  const headers = appError.code === "UNAUTHORIZED" ? { "WWW-Authenticate": 'Bearer realm="x3ui-fleet"' } : undefined;
  return Response.json(appError.toJSON(), { status: appError.httpStatus, headers });
}

export function withRouteErrors<Args extends unknown[]>(
  route: string,
  handler: (request: Request, ...rest: Args) => Promise<Response>,
): (request: Request, ...rest: Args) => Promise<Response> {
  return async (request, ...rest) => {
    try {
      return await handler(request, ...rest);
    } catch (error) {
      return errorResponse(error, route);
    }
  };
}
