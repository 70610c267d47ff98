/**
 * Operator-editable thresholds. Each group is one `app_settings` row holding only the keys an owner
 * changed; everything else falls back to its env variable, or the built-in default when the
 * variable is not set — so changing an env var still works for keys nobody has overridden, and
 * clearing an override (null) hands the key back to the env. Values are validated on write and
 * again on read (a row written by an older version that no longer parses is ignored key by key,
 * never fatal to the health sweep). `getSettingsOrigins` says where each effective value comes from.
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
import { localeNumber } from "../input-number";

const int = (min: number, max: number) => localeNumber(z.number().int().min(min).max(max));

const healthSettingsSchema = z.object({
  intervalSeconds: int(5, 3600),
  fall: int(1, 100),
  fallWindowSeconds: int(0, 86_400),
  rise: int(1, 100),
  timeoutMs: int(100, 120_000),
  retentionDays: int(1, 3650),
});

const failoverSettingsSchema = z.object({
  graceSeconds: int(0, 86_400),
  maxMovesPerMinute: int(1, 100_000),
  autoReturnToService: z.boolean(),
});

export type HealthSettings = z.infer<typeof healthSettingsSchema>;
export type FailoverSettings = z.infer<typeof failoverSettingsSchema>;
export type Settings = { health: HealthSettings; failover: FailoverSettings };

/** The env variable behind each key: what the key follows while no override is saved. */
export const SETTING_VARIABLES = {
  health: {
    intervalSeconds: "HEALTH_INTERVAL_SECONDS",
    fall: "HEALTH_FALL",
    fallWindowSeconds: "HEALTH_FALL_WINDOW_SECONDS",
    rise: "HEALTH_RISE",
    timeoutMs: "HEALTH_TIMEOUT_MS",
    retentionDays: "HEALTH_RETENTION_DAYS",
  },
  failover: { graceSeconds: "FAILOVER_GRACE_SECONDS", maxMovesPerMinute: "FAILOVER_MAX_MOVES_PER_MINUTE", autoReturnToService: "AUTO_RETURN_TO_SERVICE" },
} as const satisfies { [G in keyof Settings]: Record<keyof Settings[G], string> };

/** A value to save, or null: drop the saved override and follow the env again. */
const nullablePartial = <S extends z.ZodRawShape>(shape: S) =>
  z.object(Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, (field as z.ZodType).nullable().optional()])) as unknown as {
    [K in keyof S]: z.ZodOptional<z.ZodNullable<S[K]>>;
  });

export const settingsPatchSchema = z.object({
  health: nullablePartial(healthSettingsSchema.shape).optional(),
  failover: nullablePartial(failoverSettingsSchema.shape).optional(),
});
export type SettingsPatch = z.input<typeof settingsPatchSchema>;

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
      maxMovesPerMinute: env.FAILOVER_MAX_MOVES_PER_MINUTE,
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

type Overrides = { [G in Group]: Partial<Settings[G]> };
type SavedBy = { [G in Group]: { by: string | null; at: Date } | null };

async function readOverrideRows(db: Database | Transaction): Promise<{ overrides: Overrides; savedBy: SavedBy }> {
  const rows = await db.select().from(appSettings).where(inArray(appSettings.key, GROUP_NAMES));
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const savedBy = (group: Group) => {
    const row = byKey.get(group);
    return row ? { by: row.updatedBy, at: row.updatedAt } : null;
  };
  return {
    overrides: { health: validOverrides("health", byKey.get("health")?.value), failover: validOverrides("failover", byKey.get("failover")?.value) },
    savedBy: { health: savedBy("health"), failover: savedBy("failover") },
  };
}

async function readOverrides(db: Database | Transaction): Promise<Overrides> {
  return (await readOverrideRows(db)).overrides;
}

export async function getSettings(db: Database, defaults: Settings): Promise<Settings> {
  const overrides = await readOverrides(db);
  return { health: { ...defaults.health, ...overrides.health }, failover: { ...defaults.failover, ...overrides.failover } };
}

export type SettingOrigin = {
  /** saved: an owner's override in the database; env: the variable is set; default: neither. */
  source: "saved" | "env" | "default";
  variable: string;
  /** What the key would be without a saved override: the variable's value, or the built-in default. */
  envValue: number | boolean;
};

export type SettingsOrigins = {
  values: Settings;
  origins: { [G in Group]: Record<keyof Settings[G], SettingOrigin> };
  /** Who saved each group's overrides last, and when. */
  savedBy: SavedBy;
};

/** Each effective value with where it comes from. `setVariables` are the env variables the operator set (Env.setVariables). */
export async function getSettingsOrigins(db: Database, defaults: Settings, setVariables: readonly string[]): Promise<SettingsOrigins> {
  const { overrides, savedBy } = await readOverrideRows(db);
  const originsOf = <G extends Group>(group: G) =>
    Object.fromEntries(
      Object.entries(SETTING_VARIABLES[group]).map(([key, variable]) => {
        const source = key in overrides[group] ? "saved" : setVariables.includes(variable) ? "env" : "default";
        return [key, { source, variable, envValue: (defaults[group] as Record<string, number | boolean>)[key]! }];
      }),
    ) as Record<keyof Settings[G], SettingOrigin>;
  return {
    values: { health: { ...defaults.health, ...overrides.health }, failover: { ...defaults.failover, ...overrides.failover } },
    origins: { health: originsOf("health"), failover: originsOf("failover") },
    savedBy,
  };
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
      const value: Record<string, unknown> = { ...before[group] };
      for (const [key, changed] of Object.entries(changes)) {
        if (changed === null) delete value[key];
        else if (changed !== undefined) value[key] = changed;
      }
      await tx
        .insert(appSettings)
        .values({ key: group, value, updatedBy: actor.username })
        .onConflictDoUpdate({ target: appSettings.key, set: { value, updatedBy: actor.username, updatedAt: new Date() } });
      await recordAudit(tx, actor, { action: "settings.update", targetType: "settings", targetId: group, before: before[group], after: value });
    }
  });
  return getSettings(deps.db, deps.defaults);
}
