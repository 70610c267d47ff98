/**
 * tRPC setup: the context (the app's collaborators + the signed-in actor), one error mapping (AppError → tRPC code,
 * zod → BAD_REQUEST with per-field messages, anything else → a generic INTERNAL message), and
 * procedures by role. Procedures stay thin: validate, authorize here, call a service.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { AppContext } from "@/server/composition/app-context";
import type { AdminRole } from "@/server/db/schema";
import { AppError, fieldErrorsFromZod, type FieldErrors } from "@/server/errors";
import { hasRole, type Actor } from "@/server/services/actor";

/** Procedures pick the collaborators they need from `app` (server/composition/service-deps.ts). */
export type TrpcContext = { app: AppContext; actor: Actor | null };

const t = initTRPC.context<TrpcContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const fields: FieldErrors | null =
      error.cause instanceof ZodError
        ? fieldErrorsFromZod(error.cause.issues)
        : error.cause instanceof AppError
          ? (error.cause.fields ?? null)
          : null;
    const isHidden = error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      message: isHidden ? "Something went wrong on our side." : error.cause instanceof ZodError ? "Some fields are invalid." : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        appCode: error.cause instanceof AppError ? error.cause.code : null,
        fields,
      },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

const mapErrors = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof AppError) {
      throw new TRPCError({ code: cause.trpcCode, message: cause.message, cause });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR") ctx.app.logger.error("trpc procedure failed", { path, error: cause ?? result.error });
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

function roleProcedure(minimum: AdminRole) {
  return publicProcedure.use(({ ctx, next }) => {
    if (!ctx.actor) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
    if (!hasRole(ctx.actor, minimum)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${minimum} role.` });
    }
    return next({ ctx: { ...ctx, actor: ctx.actor } });
  });
}

export const viewerProcedure = roleProcedure("viewer");
export const adminProcedure = roleProcedure("admin");
export const ownerProcedure = roleProcedure("owner");
