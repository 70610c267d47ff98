/**
 * Structured logs as JSON lines on stdout/stderr. Errors are reduced to name, message and code
 * so no request body or credential reaches the log by way of an error object.
 */
type Level = "debug" | "info" | "warn" | "error";
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  // Read here rather than through env.ts so logging works even while the env is being validated.
  // eslint-disable-next-line no-restricted-properties
  const level = process.env.LOG_LEVEL as Level | undefined;
  return RANK[level ?? "info"] ?? RANK.info;
}

function describe(value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }), cause: value.cause ? describe(value.cause) : undefined };
  }
  return value;
}

function write(level: Level, message: string, fields?: Record<string, unknown>) {
  if (RANK[level] < threshold()) return;
  const entry: Record<string, unknown> = { level, time: new Date().toISOString(), msg: message };
  for (const [k, v] of Object.entries(fields ?? {})) entry[k] = describe(v);
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${JSON.stringify(entry)}\n`);
}

export const logger = {
  debug: (message: string, fields?: Record<string, unknown>) => write("debug", message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write("info", message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write("warn", message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write("error", message, fields),
};
export type Logger = typeof logger;
