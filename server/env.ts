/**
 * The one place that reads process.env. Parsed once, on first use, with zod; anything invalid stops
 * the process with a message naming the variable. In the embedded-database mode (no DATABASE_URL)
 * missing secrets are generated once and persisted in DATA_DIR so a first start needs no setup.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1");
const seconds = z.coerce.number().int().nonnegative();
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === "" ? undefined : v));

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: optionalText.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  DATA_DIR: z.string().default("./.data"),
  DATABASE_CONNECT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(60).default(3),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  AUTH_SECRET: optionalText.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  PANEL_SECRET_KEYS: optionalText,
  PUBLIC_URL: optionalText.pipe(z.url().optional()),
  ADMIN_USERNAME: optionalText,
  ADMIN_PASSWORD: optionalText.pipe(z.string().min(10, "must be at least 10 characters").optional()),
  BOT_API_TOKEN: optionalText.pipe(z.string().min(16, "must be at least 16 characters").optional()),
  BOT_SIGNING_SECRET: optionalText.pipe(z.string().min(16, "must be at least 16 characters").optional()),
  CRON_SECRET: optionalText.pipe(z.string().min(16, "must be at least 16 characters").optional()),
  METRICS_TOKEN: optionalText.pipe(z.string().min(16, "must be at least 16 characters").optional()),
  INSTANCE_ID: optionalText.pipe(
    z.string().max(100).regex(/^[\w.:@-]+$/, "may hold letters, digits and . _ : @ - only").optional(),
  ),
  ALLOW_PRIVATE_PANELS: bool.default(false),
  HEALTH_INTERVAL_SECONDS: seconds.min(5).default(30),
  HEALTH_FALL: z.coerce.number().int().min(1).default(3),
  HEALTH_FALL_WINDOW_SECONDS: seconds.default(90),
  HEALTH_RISE: z.coerce.number().int().min(1).default(2),
  HEALTH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  HEALTH_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(128),
  HEALTH_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  CRON_BUDGET_MS: z.coerce.number().int().min(1000).default(25_000),
  INTERNAL_CRON_SECONDS: seconds.optional(),
  FAILOVER_GRACE_SECONDS: seconds.default(600),
  FAILOVER_MAX_MOVES_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(1200),
  AUTO_RETURN_TO_SERVICE: bool.default(true),
  RECONCILE_GRACE_SECONDS: seconds.default(600),
  RECONCILE_INTERVAL_SECONDS: seconds.min(10).default(300),
  RECONCILE_MAX_ACTIONS: z.coerce.number().int().min(1).default(100),
  TRAFFIC_INTERVAL_SECONDS: seconds.min(10).max(3600).default(60),
  USER_EXPIRING_DAYS: z.coerce.number().int().min(0).max(365).default(3),
  STANDBY_ENABLED: bool.default(false),
  STANDBY_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(100),
  SUBSCRIPTION_TITLE: z.string().min(1).default("VPN"),
  SUBSCRIPTION_UPDATE_HOURS: z.coerce.number().int().min(1).max(168).default(1),
  SUBSCRIPTION_WEB_PAGE_URL: optionalText.pipe(z.url().optional()),
  SUBSCRIPTION_SUPPORT_URL: optionalText.pipe(z.url().optional()),
  SUBSCRIPTION_PROBE_URL: z.url().default("https://www.gstatic.com/generate_204"),
  SUBSCRIPTION_PROBE_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(600).default(10),
  WEBHOOK_URL: optionalText.pipe(z.url().optional()),
  WEBHOOK_SECRET: optionalText,
  ALERT_TELEGRAM_BOT_TOKEN: optionalText,
  ALERT_TELEGRAM_CHAT_ID: optionalText,
  ALERT_TELEGRAM_API_BASE: z.url().default("https://api.telegram.org"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  // How many reverse proxies in front append to X-Forwarded-For: "false"/0 never reads it, "true" means 1.
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2})$/, "must be true, false or the number of proxies")
    .default("false")
    .transform((v) => (v === "true" ? 1 : v === "false" ? 0 : Number(v))),
  // Rate limits (0 turns one off): see README › Security notes.
  RATE_LIMIT_BOT_PER_MINUTE: z.coerce.number().int().nonnegative().default(600),
  RATE_LIMIT_NEW_KEYS_PER_HOUR: z.coerce.number().int().nonnegative().default(10),
  RATE_LIMIT_SUB_PER_MINUTE: z.coerce.number().int().nonnegative().default(30),
  RATE_LIMIT_SUB_ADDRESS_PER_MINUTE: z.coerce.number().int().nonnegative().default(300),
  RATE_LIMIT_SIGN_IN_PER_ADDRESS: z.coerce.number().int().nonnegative().default(30),
  SIGN_IN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
});

export type Env = z.infer<typeof schema> & {
  AUTH_SECRET: string;
  PANEL_SECRET_KEYS: string;
  PUBLIC_URL: string;
  INTERNAL_CRON_SECONDS: number;
  isEmbeddedDb: boolean;
  /** The variables the operator set (not blank): Settings tells a value set in the env from a default. */
  setVariables: readonly string[];
};

type GeneratedSecrets = { AUTH_SECRET: string; PANEL_SECRET_KEYS: string };

function loadOrCreateSecrets(dataDir: string): GeneratedSecrets {
  const file = path.join(dataDir, "secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as GeneratedSecrets;
  mkdirSync(dataDir, { recursive: true });
  const secrets: GeneratedSecrets = {
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    PANEL_SECRET_KEYS: `k1:${randomBytes(32).toString("base64")}`,
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: "wx" });
  return secrets;
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  const isEmbeddedDb = !env.DATABASE_URL;
  let { AUTH_SECRET, PANEL_SECRET_KEYS } = env;
  if (!AUTH_SECRET || !PANEL_SECRET_KEYS) {
    if (!isEmbeddedDb && env.NODE_ENV === "production") {
      const missing = [!AUTH_SECRET && "AUTH_SECRET", !PANEL_SECRET_KEYS && "PANEL_SECRET_KEYS"].filter(Boolean);
      throw new Error(`Invalid environment:\n  ${missing.join(", ")} must be set in production (see .env.example)`);
    }
    const generated = loadOrCreateSecrets(path.resolve(env.DATA_DIR));
    AUTH_SECRET ??= generated.AUTH_SECRET;
    PANEL_SECRET_KEYS ??= generated.PANEL_SECRET_KEYS;
  }
  return {
    ...env,
    AUTH_SECRET,
    PANEL_SECRET_KEYS,
    PUBLIC_URL: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ""),
    INTERNAL_CRON_SECONDS: env.INTERNAL_CRON_SECONDS ?? (isEmbeddedDb ? 30 : 0),
    isEmbeddedDb,
    setVariables: Object.keys(schema.shape).filter((name) => source[name] !== undefined && source[name] !== ""),
  };
}

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
