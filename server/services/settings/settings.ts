/**
 * Operator-editable thresholds. Each group is one `app_settings` row holding only the keys an owner
 * changed; everything else falls back to the env default, so changing an env var still works for
 * keys nobody has overridden. Values are validated on write and again on read (a row written by an
 * older version that no longer parses is ignored key by key, never fatal to the health sweep).
 */
import { inArray } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/server/db/client";
import { appSettings } from "@/server/db/schema";
import type { Env } from "@/server/env";
import { badRequest, fieldErrorsFromZod } from "@/server/errors";
import { logger } from "@/server/logger";
import type { Actor } from "../actor";
import { recordAudit, type Transaction } from "../audit/record-audit";

const int = () => z.number().int();

const healthSettingsSchema = z.object({
  intervalSeconds: int().min(5, "must be at least 5").max(3600, "must be at most 3600"),
  fall: int().min(1, "must be at least 1").max(100, "must be at most 100"),
  fallWindowSeconds: int().min(0, "must be 0 or more").max(86_400, "must be at most 86400"),
  rise: int().min(1, "must be at least 1").max(100, "must be at most 100"),
  timeoutMs: int().min(100, "must be at least 100").max(120_000, "must be at most 120000"),
  retentionDays: int().min(1, "must be at least 1").max(3650, "must be at most 3650"),
});

const failoverSettingsSchema = z.object({
  graceSeconds: int().min(0, "must be 0 or more").max(86_400, "must be at most 86400"),
  batchSize: int().min(1, "must be at least 1").max(10_000, "must be at most 10000"),
  autoReturnToService: z.boolean(),
});

export type HealthSettings = z.infer<typeof healthSettingsSchema>;
export type FailoverSettings = z.infer<typeof failoverSettingsSchema>;
export type Settings = { health: HealthSettings; failover: FailoverSettings };

export const settingsPatchSchema = z.object({
  health: healthSettingsSchema.partial().optional(),
  failover: failoverSettingsSchema.partial().optional(),
});
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

const GROUPS = { health: healthSettingsSchema, failover: failoverSettingsSchema } as const;
type Group = keyof typeof GROUPS;
const GROUP_NAMES = Object.keys(GROUPS) as Group[];

export function settingsDefaultsFromEnv(env: Env): Settings {
  return {
    health: {
      intervalSeconds: env.HEALTH_INTERVAL_SECONDS,
      fall: env.HEALTH_FALL,
      fallWindowSeconds: env.HEALTH_FALL_WINDOW_SECONDS,
      rise: env.HEALTH_RISE,
      timeoutMs: env.HEALTH_TIMEOUT_MS,
      retentionDays: env.HEALTH_RETENTION_DAYS,
    },
    failover: {
      graceSeconds: env.FAILOVER_GRACE_SECONDS,
      batchSize: env.FAILOVER_BATCH_SIZE,
      autoReturnToService: env.AUTO_RETURN_TO_SERVICE,
    },
  };
}

function validOverrides<G extends Group>(group: G, stored: unknown): Partial<Settings[G]> {
  if (!stored || typeof stored !== "object") return {};
  const shape = GROUPS[group].shape as Record<string, z.ZodType>;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) {
    const field = shape[key];
    if (field?.safeParse(value).success) kept[key] = value;
    else logger.warn("ignoring invalid stored setting", { key: `${group}.${key}` });
  }
  return kept as Partial<Settings[G]>;
}

async function readOverrides(db: Database | Transaction): Promise<{ [G in Group]: Partial<Settings[G]> }> {
  const rows = await db.select().from(appSettings).where(inArray(appSettings.key, GROUP_NAMES));
  const byKey = new Map(rows.map((r) => [r.key, r.value]));
  return { health: validOverrides("health", byKey.get("health")), failover: validOverrides("failover", byKey.get("failover")) };
}

export async function getSettings(db: Database, defaults: Settings): Promise<Settings> {
  const overrides = await readOverrides(db);
  return { health: { ...defaults.health, ...overrides.health }, failover: { ...defaults.failover, ...overrides.failover } };
}

/** Owner-only (enforced by the router). Stores the changed keys and audits the change in one transaction. */
export async function updateSettings(
  deps: { db: Database; defaults: Settings },
  actor: Actor,
  patch: SettingsPatch,
): Promise<Settings> {
  const parsed = settingsPatchSchema.safeParse(patch);
  if (!parsed.success) throw badRequest(fieldErrorsFromZod(parsed.error.issues));
  await deps.db.transaction(async (tx) => {
    const before = await readOverrides(tx);
    for (const group of GROUP_NAMES) {
      const changes = parsed.data[group];
      if (!changes || Object.keys(changes).length === 0) continue;
      const value = { ...before[group], ...changes };
      await tx
        .insert(appSettings)
        .values({ key: group, value, updatedBy: actor.username })
        .onConflictDoUpdate({ target: appSettings.key, set: { value, updatedBy: actor.username, updatedAt: new Date() } });
      await recordAudit(tx, actor, { action: "settings.update", targetType: "settings", targetId: group, before: before[group], after: value });
    }
  });
  return getSettings(deps.db, deps.defaults);
}
