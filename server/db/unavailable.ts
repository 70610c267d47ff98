/**
 * Whether an error means "the database cannot be reached right now" rather than "this request is
 * wrong": lost or refused connections (a restart, a failover, a network cut), a server that is
 * starting or shutting down, a full connection table, our own statement/lock timeouts, and the
 * conflicts PostgreSQL asks clients to retry. Callers answer these with 503 + Retry-After, never
 * 500: the same request, repeated, is expected to work (and returns the key if it was made).
 */

/** postgres.js's own connection failures and the socket errors it passes through. */
const CONNECTION_CODES = new Set([
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/** SQLSTATEs worth a retry: class 08 (connection), shutdown/start-up, capacity, timeouts, serialization. */
const RETRYABLE_SQLSTATES = new Set([
  "57P01", // admin_shutdown: terminated by a restart or pg_terminate_backend
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or shutting down
  "53300", // too_many_connections
  "57014", // query_canceled: statement_timeout
  "55P03", // lock_not_available: lock_timeout
  "25P03", // idle_in_transaction_session_timeout
  "40001", // serialization_failure
  "40P01", // deadlock_detected
]);

function codeOf(error: unknown): string | null {
  if (typeof error !== "object" || error === null) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : null;
}

/** The connection itself went away (as opposed to a statement being refused or cancelled on it). */
export function isConnectionLost(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = codeOf(current);
    if (code && (CONNECTION_CODES.has(code) || code === "57P01" || code === "57P02" || code.startsWith("08"))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  // drizzle wraps driver errors (DrizzleQueryError); follow the causes down to the driver's.
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = codeOf(current);
    if (code && (CONNECTION_CODES.has(code) || RETRYABLE_SQLSTATES.has(code) || code.startsWith("08"))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
