/**
 * tRPC setup: the context (the app's collaborators, the signed-in actor and the reader's locale), one
 * error mapping (AppError → tRPC code, zod → BAD_REQUEST with per-field messages from the validation
 * error map, anything else → a generic INTERNAL message), and procedures by role. Every message and
 * field message is rendered in the reader's locale; `data.appCode` and `data.details` carry what a
 * client acts on. Procedures stay thin: validate, authorize here, call a service.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Locale } from "@/components/i18n/locale";
import type { AppContext } from "@/server/composition/app-context";
import type { AdminRole } from "@/server/db/schema";
import { AppError, fieldErrorsFromZod, toAppError, type ErrorText, type FieldErrors } from "@/server/errors";
import { renderErrorText } from "@/server/http/messages";
import { ref } from "@/server/messages";
import { hasRole, type Actor } from "@/server/services/actor";

/** Procedures pick the collaborators they need from `app` (server/composition/service-deps.ts). */
export type TrpcContext = { app: AppContext; actor: Actor | null; locale?: Locale };

const t = initTRPC.context<TrpcContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error, ctx }) {
    const cause = error.cause;
    const fields: FieldErrors | null = cause instanceof ZodError ? fieldErrorsFromZod(cause.issues) : cause instanceof AppError ? (cause.fields ?? null) : null;
    const text: ErrorText =
      error.code === "INTERNAL_SERVER_ERROR" ? ref("error.internal") : cause instanceof ZodError ? ref("error.badRequest") : cause instanceof AppError ? cause.text : shape.message;
    const render = (t: ErrorText) => renderErrorText(t, ctx?.locale);
    return {
      ...shape,
      message: render(text),
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        appCode: cause instanceof AppError ? cause.code : null,
        fields: fields ? Object.fromEntries(Object.entries(fields).map(([field, t]) => [field, render(t)])) : null,
        details: cause instanceof AppError ? (cause.details ?? null) : null,
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
    // An AppError keeps its code; an unreachable database becomes SERVICE_UNAVAILABLE, not INTERNAL.
    const appError = cause instanceof AppError ? cause : cause ? toAppError(cause) : null;
    if (appError && appError.code !== "INTERNAL") {
      throw new TRPCError({ code: appError.trpcCode, message: renderErrorText(appError.text, ctx.locale), cause: appError });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR") ctx.app.logger.error("trpc procedure failed", { path, error: cause ?? result.error });
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

function roleProcedure(minimum: AdminRole) {
  return publicProcedure.use(({ ctx, next, path }) => {
    if (!ctx.actor) throw new AppError("UNAUTHORIZED", ref("error.signIn"));
    // Two-factor is required and this admin has none yet: their own account is all they may use.
    if (ctx.actor.mustEnrollTotp && !path.startsWith("account.")) throw new AppError("FORBIDDEN", ref("error.totp.enrolFirst"));
    if (!hasRole(ctx.actor, minimum)) throw new AppError("FORBIDDEN", ref("error.forbiddenRole", { role: { code: `roleValue.${minimum}` } }));
    return next({ ctx: { ...ctx, actor: ctx.actor } });
  });
}

export const viewerProcedure = roleProcedure("viewer");
export const adminProcedure = roleProcedure("admin");
export const ownerProcedure = roleProcedure("owner");
