import type { Translate } from "@/components/i18n/translate";

/*
 * Reading a failed tRPC call in the dashboard. The server renders its message and field messages
 * in the reader's language (server/api/trpc.ts) and adds the AppError code and details; an error
 * without that data never reached our server's error formatter (no network, a proxy's page), and
 * its own text ("Failed to fetch") is not for people.
 */
type ErrorData = { fields?: Record<string, string> | null; appCode?: string | null; details?: Record<string, unknown> | null };

function dataOf(error: unknown): ErrorData | null {
  const data = (error as { data?: unknown } | null)?.data;
  return data && typeof data === "object" ? (data as ErrorData) : null;
}

/** Per-field messages that the server's error formatter puts on a BAD_REQUEST. */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  return dataOf(error)?.fields ?? {};
}

/** The server's AppError code (CONNECTION_FAILED, NO_CAPACITY, …), or null. */
export function appCodeOf(error: unknown): string | null {
  return dataOf(error)?.appCode ?? null;
}

/** The structured facts an AppError carries for the client (e.g. `connection`, the failed test). */
export function errorDetailsOf(error: unknown): Record<string, unknown> | null {
  return dataOf(error)?.details ?? null;
}

/** A message fit to show: the server's, or ours when the server's error formatter never answered. */
export function errorMessageOf(error: unknown, t: Translate): string {
  const message = (error as { message?: unknown } | null)?.message;
  return dataOf(error) && typeof message === "string" && message ? message : t("error.unreachable");
}
