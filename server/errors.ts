/**
 * One error type for the whole server. Services throw AppError with a stable code; route handlers
 * and tRPC map the code to a status with the tables below. The message is written for the caller,
 * as a MessageRef (a code of server/messages.ts with parameters) that the edge renders in the
 * caller's language — the dashboard's, English for the bot API; anything internal goes in `cause`
 * and stays in the logs.
 */
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { z } from "zod";
import { isMessageRef, type MessageRef } from "./message-ref";
import { isMessageCode, MESSAGE_PARAMS, ref } from "./messages";
import { isDatabaseUnavailable } from "@/server/db/unavailable";

export const APP_ERROR_CODES = {
  BAD_REQUEST: { http: 400, trpc: "BAD_REQUEST" },
  UNAUTHORIZED: { http: 401, trpc: "UNAUTHORIZED" },
  FORBIDDEN: { http: 403, trpc: "FORBIDDEN" },
  NOT_FOUND: { http: 404, trpc: "NOT_FOUND" },
  METHOD_NOT_ALLOWED: { http: 405, trpc: "METHOD_NOT_SUPPORTED" },
  CONFLICT: { http: 409, trpc: "CONFLICT" },
  IN_FLIGHT: { http: 409, trpc: "CONFLICT" },
  PAYLOAD_TOO_LARGE: { http: 413, trpc: "PAYLOAD_TOO_LARGE" },
  /** A key's creation reached a node that has not confirmed it: never made elsewhere meanwhile; retry. */
  KEY_PENDING: { http: 503, trpc: "SERVICE_UNAVAILABLE" },
  TOO_MANY_REQUESTS: { http: 429, trpc: "TOO_MANY_REQUESTS" },
  PANELS_UNAVAILABLE: { http: 502, trpc: "BAD_GATEWAY" },
  PANEL_ERROR: { http: 502, trpc: "BAD_GATEWAY" },
  NO_CAPACITY: { http: 503, trpc: "SERVICE_UNAVAILABLE" },
  /** A strict location no node is in: asking again will not help, asking for another location may. */
  NO_NODE_IN_LOCATION: { http: 422, trpc: "UNPROCESSABLE_CONTENT" },
  /** A node whose connection test failed, saved without `saveDisabled`: `details.connection` says why. */
  CONNECTION_FAILED: { http: 422, trpc: "UNPROCESSABLE_CONTENT" },
  UNAVAILABLE: { http: 503, trpc: "SERVICE_UNAVAILABLE" },
  INTERNAL: { http: 500, trpc: "INTERNAL_SERVER_ERROR" },
} as const satisfies Record<string, { http: number; trpc: TRPC_ERROR_CODE_KEY }>;

export type AppErrorCode = keyof typeof APP_ERROR_CODES;

/**
 * A message for people: a MessageRef, or (only from code not yet converted) a sentence in English
 * that is shown as it is.
 */
export type ErrorText = MessageRef | string;

/** Per-field messages for 400s: `{ "nodes.0.weight": ref("validation.greaterThan", { minimum: 0 }) }`. */
export type FieldErrors = Record<string, ErrorText>;

/**
 * The production build may hold this module more than once (one copy per route bundle) while the
 * app context, built once per process, is shared by all of them: an error thrown by a collaborator
 * from one copy must still be an AppError to the code of another. So the check is a registered
 * symbol on the instance, not the class identity.
 */
const APP_ERROR = Symbol.for("x3ui-fleet.app-error");

export class AppError extends Error {
  readonly [APP_ERROR] = true;
  readonly code: AppErrorCode;
  /** The message for people (Error.message holds its code, for the logs). */
  readonly text: ErrorText;
  readonly fields?: FieldErrors;
  /** When the same request is expected to work: sent as `Retry-After` (seconds). */
  readonly retryAfterSeconds?: number;
  /** Structured facts a client needs to act on the error (e.g. the failed connection test). */
  readonly details?: Record<string, unknown>;

  constructor(
    code: AppErrorCode,
    message: ErrorText,
    options?: { fields?: FieldErrors; cause?: unknown; retryAfterSeconds?: number; details?: Record<string, unknown> },
  ) {
    super(typeof message === "string" ? message : message.code, { cause: options?.cause });
    this.name = "AppError";
    this.code = code;
    this.text = message;
    this.fields = options?.fields;
    this.details = options?.details;
    this.retryAfterSeconds = options?.retryAfterSeconds === undefined ? undefined : Math.max(1, Math.ceil(options.retryAfterSeconds));
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [APP_ERROR]?: unknown })[APP_ERROR] === true;
  }

  get httpStatus(): number {
    return APP_ERROR_CODES[this.code].http;
  }

  get trpcCode(): TRPC_ERROR_CODE_KEY {
    return APP_ERROR_CODES[this.code].trpc;
  }

  /** The only shape any HTTP caller ever sees for an error, its texts rendered by `render` (server/http/messages.ts). */
  toBody(render: (text: ErrorText) => string): { code: AppErrorCode; message: string; fields?: Record<string, string> } {
    const fields = this.fields ? Object.fromEntries(Object.entries(this.fields).map(([field, text]) => [field, render(text)])) : undefined;
    return { code: this.code, message: render(this.text), ...(fields ? { fields } : {}) };
  }

  /** For logs and serializers: the texts as codes. */
  toJSON(): { code: AppErrorCode; message: ErrorText; fields?: FieldErrors } {
    return { code: this.code, message: this.text, ...(this.fields ? { fields: this.fields } : {}) };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

// zod reports a missing value as a wrong type; only the issue's input tells them apart, and the
// input is not kept on the issues a failed parse returns. This map sees it and marks the issue.
const REQUIRED = "validation.required";
z.config({
  customError: (issue) => (issue.code === "invalid_type" && (issue.input === undefined || issue.input === null || issue.input === "") ? REQUIRED : undefined),
});

type Issue = z.core.$ZodIssue;

const TYPE_CODES: Record<string, MessageRef> = {
  number: ref("validation.number"),
  int: ref("validation.integer"),
  string: ref("validation.text"),
  boolean: ref("validation.boolean"),
  array: ref("validation.list"),
  object: ref("validation.object"),
};

const FORMAT_CODES: Record<string, MessageRef> = {
  uuid: ref("validation.format.uuid"),
  url: ref("validation.format.url"),
  email: ref("validation.format.email"),
};

/**
 * The validation error map: one zod issue as a field message in codes and parameters, never zod's
 * English. A refinement names its message by code (`ctx.addIssue({ code: "custom", message:
 * "validation.tlsPin" })`, parameters in `params`); any other free text is replaced by the issue's kind.
 */
export function messageForIssue(issue: Issue): MessageRef {
  switch (issue.code) {
    case "invalid_type":
      if (issue.message === REQUIRED) return ref("validation.required");
      // NaN is what a form's empty number field becomes.
      if ((issue as { received?: string }).received === "NaN") return ref("validation.required");
      return TYPE_CODES[issue.expected] ?? ref("validation.invalid");
    case "too_small": {
      const minimum = Number(issue.minimum);
      if (issue.origin === "string") return minimum <= 1 ? ref("validation.required") : ref("validation.minLength", { count: minimum });
      if (issue.origin === "array" || issue.origin === "set") return ref("validation.minItems", { count: minimum });
      return issue.inclusive ? ref("validation.min", { minimum }) : ref("validation.greaterThan", { minimum });
    }
    case "too_big": {
      const maximum = Number(issue.maximum);
      if (issue.origin === "string") return ref("validation.maxLength", { count: maximum });
      if (issue.origin === "array" || issue.origin === "set") return ref("validation.maxItems", { count: maximum });
      return issue.inclusive ? ref("validation.max", { maximum }) : ref("validation.lessThan", { maximum });
    }
    case "invalid_format":
      return FORMAT_CODES[issue.format] ?? ref("validation.format");
    case "invalid_value":
      return ref("validation.oneOf", { options: issue.values.map(String).join(", ") });
    case "unrecognized_keys":
      return ref("validation.unknownKeys", { keys: issue.keys.join(", ") });
    case "custom":
      if (isMessageCode(issue.message)) return messageRefFrom(issue.message, issue.params);
      return ref("validation.invalid");
    default:
      return ref("validation.invalid");
  }
}

function messageRefFrom(code: keyof typeof MESSAGE_PARAMS, params: Record<string, unknown> | undefined): MessageRef {
  const names = MESSAGE_PARAMS[code] as readonly string[];
  if (names.length === 0) return { code };
  const picked = Object.fromEntries(names.map((name) => [name, params?.[name]]).filter(([, v]) => typeof v === "string" || typeof v === "number" || isMessageRef(v)));
  return { code, params: picked };
}

/** Turns a zod error into per-field messages that name each field. */
export function fieldErrorsFromZod(issues: readonly Issue[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join(".") || "body";
    fields[key] ??= messageForIssue(issue);
  }
  return fields;
}

export function badRequest(fields: FieldErrors, message: ErrorText = ref("error.badRequest")): AppError {
  return new AppError("BAD_REQUEST", message, { fields });
}

/** The value parsed by `schema`, or a 400 naming each invalid field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(fieldErrorsFromZod(parsed.error.issues));
  return parsed.data;
}

/** A database that cannot be reached answers within its connect/statement timeouts; retrying soon is right. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * Anything that is not an AppError becomes INTERNAL with a generic message, except an unreachable
 * database: that is UNAVAILABLE with Retry-After, because the same request will work again.
 */
export function toAppError(e: unknown): AppError {
  if (isAppError(e)) return e;
  if (isDatabaseUnavailable(e)) {
    return new AppError("UNAVAILABLE", "The service is briefly unavailable. Retry in a few seconds.", { cause: e, retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS });
  }
  return new AppError("INTERNAL", ref("error.internal"), { cause: e });
}
