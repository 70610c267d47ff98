/**
 * The cron run wired to the app: settings (env defaults + owner overrides, re-read on every run)
 * and the ordered steps, each given the collaborators it needs. Used by /api/cron/health and by the
 * in-process timer that bootstrap starts.
 */
import { adminSessionsCronStep } from "@/server/services/admins/admin-sessions";
import { botNoncesCronStep } from "@/server/services/bot-nonces/bot-nonces";
import { startInternalCron } from "@/server/services/cron/internal-cron";
import { runCron, type CronRunResult, type CronStep } from "@/server/services/cron/run-cron";
import { healthHistoryCronStep, healthSweepCronStep } from "@/server/services/health/health-cron-steps";
import { fleetOperationsCronStep } from "@/server/services/migration/fleet-operations-cron-step";
import { rateLimitsCronStep } from "@/server/services/rate-limits/rate-limiter";
import { notificationsCronStep } from "@/server/services/notifications/notifications-cron-step";
import { reconcileCronStep } from "@/server/services/reconcile/reconcile-cron-step";
import { getSettings, type Settings } from "@/server/services/settings/settings";
import { standbyCronStep, type StandbySweep } from "@/server/services/standby/run-standby-pass";
import { plansCronStep, trafficCronStep } from "@/server/services/traffic/traffic-cron-steps";
import type { AppContext } from "./app-context";
import { migrationDeps, planDeps, reconcileDeps, trafficDeps } from "./service-deps";

// One sweep position per app context: each cron run's standby pass goes on from where the last one stopped.
const standbySweeps = new WeakMap<AppContext, StandbySweep>();

function standbySweepOf(app: AppContext): StandbySweep {
  let sweep = standbySweeps.get(app);
  if (!sweep) {
    sweep = { after: null };
    standbySweeps.set(app, sweep);
  }
  return sweep;
}

/** In order: each step gets the budget left minus what the steps after it reserve. */
function cronSteps(app: AppContext, settings: Settings): CronStep[] {
  return [
    healthSweepCronStep({ panelFor: app.panelFor, settings: settings.health, concurrency: app.config.cron.healthConcurrency, metrics: app.metrics }),
    standbyCronStep(() => ({ ...migrationDeps(app), standby: { ...app.config.standby, sweep: standbySweepOf(app) } })),
    healthHistoryCronStep({ retentionDays: settings.health.retentionDays }),
    trafficCronStep(() => trafficDeps(app)),
    plansCronStep(() => planDeps(app)),
    reconcileCronStep(() => reconcileDeps(app), { intervalMs: app.config.reconcile.intervalMs, nodeDeadlineMs: app.config.panelTimeoutMs }),
    fleetOperationsCronStep({ ...migrationDeps(app), failover: settings.failover }),
    notificationsCronStep({ ...app.notifications, db: app.db, clock: app.clock, fetch: app.fetch, metrics: app.metrics }),
    botNoncesCronStep,
    rateLimitsCronStep,
    adminSessionsCronStep,
  ];
}

export async function runAppCron(app: AppContext, trigger: string): Promise<CronRunResult> {
  const settings = await getSettings(app.db, app.config.settingsDefaults);
  const run = await runCron({ db: app.db, clock: app.clock, steps: cronSteps(app, settings), budgetMs: app.config.cron.budgetMs }, { trigger });
  app.metrics.cronRun(run, app.config.cron.budgetMs);
  return run;
}

/** The in-process sweep every INTERNAL_CRON_SECONDS (nothing when 0); returns its stop function. */
export function startAppInternalCron(app: AppContext): () => Promise<void> {
  return startInternalCron({ intervalSeconds: app.config.cron.internalIntervalSeconds, run: () => runAppCron(app, "internal") });
}
