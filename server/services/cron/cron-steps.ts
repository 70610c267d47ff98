/**
 * The steps of one cron run, in order. Keys and failover append theirs here (reconcile, failover
 * batches, webhook deliveries); each gets the budget left minus what later steps reserve.
 */
import { pruneHealthHistory, rollUpHealthChecks } from "../health/health-history";
import { runHealthSweep } from "../health/run-health-sweep";
import type { PanelClientFactory } from "../nodes/panel-for-node";
import type { Settings } from "../settings/settings";
import type { CronStep } from "./run-cron";
import { fleetOperationsCronStep } from "../migration/app-migration";
import { notificationsCronStep } from "../notifications/app-notifications";
import { appReconcileCronStep } from "../reconcile/app-reconcile-deps";

export type CronStepDeps = {
  panelFor: PanelClientFactory;
  settings: Settings;
  healthConcurrency: number;
};

export const HEALTH_STEP = "health";

export function createCronSteps(deps: CronStepDeps): CronStep[] {
  return [
    {
      name: HEALTH_STEP,
      run: ({ db, clock, budgetMs }) =>
        runHealthSweep(
          { db, panelFor: deps.panelFor, clock, settings: deps.settings.health, concurrency: deps.healthConcurrency },
          { budgetMs },
        ),
    },
    {
      name: "health-history",
      reserveMs: 2_000,
      run: async ({ db, clock }) => {
        const now = clock.now();
        const rolledUp = await rollUpHealthChecks(db, { now });
        const pruned = await pruneHealthHistory(db, { now, retentionDays: deps.settings.health.retentionDays });
        return { rolledUpHours: rolledUp.hours, pruned };
      },
    },
    appReconcileCronStep(deps),
    fleetOperationsCronStep(deps),
    notificationsCronStep(),
  ];
}
