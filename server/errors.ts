/**
 * One error type for the whole server. Services throw AppError with a stable code; route handlers
 * and tRPC map the code to a status with the tables below. The message is written for the caller;
 * anything internal goes in `cause` and stays in the logs.
 */
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import type { z } from "zod";

export const APP_ERROR_CODES = {
  BAD_REQUEST: { http: 400, trpc: "BAD_REQUEST" },
  UNAUTHORIZED: { http: 401, trpc: "UNAUTHORIZED" },
  FORBIDDEN: { http: 403, trpc: "FORBIDDEN" },
  NOT_FOUND: { http: 404, trpc: "NOT_FOUND" },
  METHOD_NOT_ALLOWED: { http: 405, trpc: "METHOD_NOT_SUPPORTED" },
  CONFLICT: { http: 409, trpc: "CONFLICT" },
  IN_FLIGHT: { http: 409, trpc: "CONFLICT" },
  PAYLOAD_TOO_LARGE: { http: 413, trpc: "PAYLOAD_TOO_LARGE" },
  TOO_MANY_REQUESTS: { http: 429, trpc: "TOO_MANY_REQUESTS" },
  PANELS_UNAVAILABLE: { http: 502, trpc: "BAD_GATEWAY" },
  PANEL_ERROR: { http: 502, trpc: "BAD_GATEWAY" },
  NO_CAPACITY: { http: 503, trpc: "SERVICE_UNAVAILABLE" },
  UNAVAILABLE: { http: 503, trpc: "SERVICE_UNAVAILABLE" },
  INTERNAL: { http: 500, trpc: "INTERNAL_SERVER_ERROR" },
} as const satisfies Record<string, { http: number; trpc: TRPC_ERROR_CODE_KEY }>;

export type AppErrorCode = keyof typeof APP_ERROR_CODES;

/** Per-field messages for 400s: `{ "nodes.0.weight": "must be greater than 0" }`. */
export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly fields?: FieldErrors;
  /** When the same request is expected to work: sent as `Retry-After` (seconds). */
  readonly retryAfterSeconds?: number;

  constructor(code: AppErrorCode, message: string, options?: { fields?: FieldErrors; cause?: unknown; retryAfterSeconds?: number }) {
    super(message, { cause: options?.cause });
    this.name = "AppError";
    this.code = code;
    this.fields = options?.fields;
    this.retryAfterSeconds = options?.retryAfterSeconds === undefined ? undefined : Math.max(1, Math.ceil(options.retryAfterSeconds));
  }

  get httpStatus(): number {
    return APP_ERROR_CODES[this.code].http;
  }

  get trpcCode(): TRPC_ERROR_CODE_KEY {
    return APP_ERROR_CODES[this.code].trpc;
  }

  /** The only shape any HTTP caller ever sees for an error. */
  toJSON(): { code: AppErrorCode; message: string; fields?: FieldErrors } {
    return { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Turns a zod error into a 400 that names each field. */
export function fieldErrorsFromZod(issues: readonly { path: readonly PropertyKey[]; message: string }[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join(".") || "body";
    fields[key] ??= issue.message;
  }
  return fields;
}

export function badRequest(fields: FieldErrors, message = "Some fields are invalid."): AppError {
  return new AppError("BAD_REQUEST", message, { fields });
}

/** The value parsed by `schema`, or a 400 naming each invalid field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(fieldErrorsFromZod(parsed.error.issues));
  return parsed.data;
}

/** Anything that is not an AppError becomes INTERNAL with a generic message; the original is the cause. */
export function toAppError(e: unknown): AppError {
  if (isAppError(e)) return e;
  return new AppError("INTERNAL", "Something went wrong on our side.", { cause: e });
}
