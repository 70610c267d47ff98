/**
 * Each domain's collaborators, picked from the app context. Routers, route handlers, the cron and
 * scripts call these instead of assembling deps themselves, so a service's needs are wired once.
 */
import type { AdoptionDeps } from "@/server/services/adoption/preview-adoption";
import type { KeyDeps } from "@/server/services/keys/key-deps";
import type { RenderMetricsDeps } from "@/server/services/metrics/render-metrics";
import type { MigrationDeps } from "@/server/services/migration/migration-deps";
import type { NodeServiceDeps } from "@/server/services/nodes/save-node";
import type { PlanDeps } from "@/server/services/plans/plan-deps";
import type { TestConnectionDeps } from "@/server/services/nodes/test-connection";
import type { ReconcileDeps } from "@/server/services/reconcile/reconcile-node";
import { getSettings } from "@/server/services/settings/settings";
import { standbyAfterKey } from "@/server/services/standby/standby-after-key";
import type { OverviewDeps } from "@/server/services/stats/get-fleet-overview";
import type { StatsDeps } from "@/server/services/stats/stats-deps";
import type { SubscriptionDeps } from "@/server/services/subscriptions/get-subscription";
import type { TrafficDeps } from "@/server/services/traffic/traffic-deps";
import type { AppContext } from "./app-context";

export function adoptionDeps(app: AppContext): AdoptionDeps {
  return { db: app.db, panelFor: app.panelFor, clock: app.clock, panelTimeoutMs: app.config.panelTimeoutMs };
}

function baseKeyDeps(app: AppContext): KeyDeps {
  return { db: app.db, panelFor: app.panelFor, publicUrl: app.config.publicUrl, clock: app.clock, metrics: app.metrics, panelTimeoutMs: app.config.panelTimeoutMs };
}

// One per app context: its bound on standbys placed at once holds across requests.
const standbyHooks = new WeakMap<AppContext, (userId: string) => void>();

/** Standbys placed at once in the background after new keys; more wait for the standby pass. */
const STANDBYS_AFTER_KEYS_IN_FLIGHT = 4;

export function keyDeps(app: AppContext): KeyDeps {
  if (!app.config.standby.enabled) return baseKeyDeps(app);
  let afterKeyPlaced = standbyHooks.get(app);
  if (!afterKeyPlaced) {
    afterKeyPlaced = standbyAfterKey(() => baseKeyDeps(app), { maxInFlight: STANDBYS_AFTER_KEYS_IN_FLIGHT });
    standbyHooks.set(app, afterKeyPlaced);
  }
  return { ...baseKeyDeps(app), afterKeyPlaced };
}

/** The bot's key routes are also limited in new keys per telegram id (a leaked token must not drain the fleet). */
function newKeyLimit(app: AppContext): Pick<KeyDeps, "beforeNewKey"> {
  return { beforeNewKey: (telegramId) => app.rateLimiter.hit("new-key", String(telegramId)) };
}

export function botKeyDeps(app: AppContext): KeyDeps {
  return { ...keyDeps(app), ...newKeyLimit(app) };
}

export function migrationDeps(app: AppContext): MigrationDeps {
  return { ...keyDeps(app), clock: app.clock, notifications: app.notifications };
}

export function planDeps(app: AppContext): PlanDeps {
  return { ...migrationDeps(app), expiringDays: app.config.plans.expiringDays };
}

export function botPlanDeps(app: AppContext): PlanDeps {
  return { ...planDeps(app), ...newKeyLimit(app) };
}

export function trafficDeps(app: AppContext): TrafficDeps {
  return { ...planDeps(app), ...app.config.traffic, timeoutMs: app.config.panelTimeoutMs };
}

export function nodeDeps(app: AppContext): NodeServiceDeps & TestConnectionDeps {
  return { db: app.db, ...app.panels, timeoutMs: app.config.panelTimeoutMs };
}

/** `startedBy`: "system" for the cron, else the admin who asked. */
export function reconcileDeps(app: AppContext, startedBy = "system"): ReconcileDeps {
  return {
    db: app.db,
    panelFor: app.panelFor,
    clock: app.clock,
    panelTimeoutMs: app.config.panelTimeoutMs,
    graceMs: app.config.reconcile.graceMs,
    maxActions: app.config.reconcile.maxActions,
    startedBy,
  };
}

export function subscriptionDeps(app: AppContext): SubscriptionDeps {
  return { db: app.db };
}

/** Sign-in and the admin's own account: throttling and the key ring that seals TOTP secrets. */
export function adminDeps(app: AppContext) {
  return { db: app.db, clock: app.clock, keyRing: app.panels.keyRing, rateLimiter: app.rateLimiter };
}

export function settingsDeps(app: AppContext): { db: AppContext["db"]; defaults: AppContext["config"]["settingsDefaults"] } {
  return { db: app.db, defaults: app.config.settingsDefaults };
}

/** The health interval comes from Settings (owner overrides), falling back to the env. */
export function statsDeps(app: AppContext): StatsDeps {
  return { db: app.db, clock: app.clock };
}

export async function overviewDeps(app: AppContext): Promise<OverviewDeps> {
  const settings = await getSettings(app.db, app.config.settingsDefaults);
  return { ...statsDeps(app), healthIntervalSeconds: settings.health.intervalSeconds };
}

export function metricsDeps(app: AppContext): RenderMetricsDeps {
  return { db: app.db, clock: app.clock, settingsDefaults: app.config.settingsDefaults, metrics: app.metrics };
}
