/**
 * Structured logs as JSON lines on stdout/stderr, with nothing secret in them (invariant 4):
 *
 * - Database errors are reduced to SQLSTATE code, constraint and table. Drizzle's "Failed query …
 *   params: …" text and PostgreSQL's messages and details carry the values of the statement (share
 *   links, tokens, telegram ids), so neither is ever written.
 * - Other errors keep name, message and code (and their cause, described the same way).
 * - Fields whose name says they hold a secret are replaced, at any depth.
 * - Every finished line goes through `redactSecrets`, which blanks the shapes a secret takes in
 *   free text: share links, subscription URLs, bearer tokens, Telegram bot tokens, passwords in
 *   URLs, query strings and embedded JSON, session cookies.
 */
type Level = "debug" | "info" | "warn" | "error";
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const REDACTED = "[redacted]";

function threshold(): number {
  // Read here rather than through env.ts so logging works even while the env is being validated.
  // eslint-disable-next-line no-restricted-properties
  const level = process.env.LOG_LEVEL as Level | undefined;
  return RANK[level ?? "info"] ?? RANK.info;
}

const SECRET_FIELD = /^(password|passwd|panelPassword|passwordHash|apiToken|panelApiToken|token|subscriptionToken|secret|signingSecret|authorization|cookie|set-cookie|shareLink|recoveryCodes?|totpSecret)$/i;

const SECRET_SHAPES: [RegExp, string][] = [
  // Share links: vless://<uuid>@host…, vmess://<base64>, trojan://<password>@…, ss://…, and the rest Xray speaks.
  [/\b(vless|vmess|trojan|ss|ssr|hysteria2?|hy2|tuic|wireguard|socks|naive\+https?):\/\/[^\s"'\\<>]+/gi, `$1://${REDACTED}`],
  [/\/sub\/[A-Za-z0-9_-]{8,}/g, `/sub/${REDACTED}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  // Telegram bot tokens, also inside api.telegram.org/bot<token>/… URLs.
  [/\d{5,}:[A-Za-z0-9_-]{30,}/g, REDACTED],
  // user:password@ in URLs.
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"'\\]+):[^\s@/"'\\]+@/gi, `$1:${REDACTED}@`],
  // password=…, token=…, secret=… in query strings and form bodies.
  [/\b(password|passwd|pass|pwd|token|api_?token|secret|code)=[^\s&"'\\]+/gi, `$1=${REDACTED}`],
  // "password":"…" in JSON text embedded in a message, e.g. a panel's error body quoting a client
  // (whose "id" is the key itself); only inside a string (escaped quotes), never our own fields.
  [/(\\"(?:password|passwd|pass|token|apiToken|secret|id|uuid|auth|psk)\\"\s*:\s*\\")[^"\\]*/gi, `$1${REDACTED}`],
  // Session cookies: 3X-UI's `3x-ui=`/`session=`, Auth.js's session token.
  [/\b(3x-ui|session|x-ui|(?:__Secure-)?authjs\.session-token)=[^\s;"'\\]+/gi, `$1=${REDACTED}`],
];

/** Blanks every secret-shaped part of a text; applied to each finished log line. */
export function redactSecrets(text: string): string {
  return SECRET_SHAPES.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

type PgErrorShape = { code?: unknown; severity?: unknown; constraint_name?: unknown; constraint?: unknown; table_name?: unknown; table?: unknown };

/** A PostgreSQL server error (postgres.js or PGlite): it has a SQLSTATE and a severity. */
function isDatabaseServerError(value: object): boolean {
  const { code, severity } = value as PgErrorShape;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && typeof severity === "string";
}

function describeDatabaseError(value: object): Record<string, unknown> {
  const e = value as PgErrorShape;
  const constraint = e.constraint_name ?? e.constraint;
  const table = e.table_name ?? e.table;
  return { name: "DatabaseError", code: e.code, ...(constraint ? { constraint } : {}), ...(table ? { table } : {}) };
}

function describe(value: unknown, depth = 0): unknown {
  if (depth > 6) return "[deep]";
  if (value instanceof Error) {
    // Drizzle's query error: its message is the statement and its parameters; only the cause is told.
    if ("query" in value && "params" in value) return { name: "DatabaseError", cause: value.cause ? describe(value.cause, depth + 1) : undefined };
    if (isDatabaseServerError(value)) return describeDatabaseError(value);
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }), cause: value.cause ? describe(value.cause, depth + 1) : undefined };
  }
  if (Array.isArray(value)) return value.map((v) => describe(v, depth + 1));
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_FIELD.test(k) && v != null ? REDACTED : describe(v, depth + 1)]));
  }
  return value;
}

function write(level: Level, message: string, fields?: Record<string, unknown>) {
  if (RANK[level] < threshold()) return;
  const entry: Record<string, unknown> = { level, time: new Date().toISOString(), msg: message };
  for (const [k, v] of Object.entries(fields ?? {})) entry[k] = SECRET_FIELD.test(k) && v != null ? REDACTED : describe(v);
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${redactSecrets(JSON.stringify(entry))}\n`);
}

export const logger = {
  debug: (message: string, fields?: Record<string, unknown>) => write("debug", message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write("info", message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write("warn", message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write("error", message, fields),
};
export type Logger = typeof logger;
