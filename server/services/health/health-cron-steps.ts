/** The health sweep's place in a cron run (first), and the upkeep of the check history after it. */
import type { FleetMetrics } from "@/server/metrics/fleet-metrics";
import type { CronStep } from "@/server/services/cron/run-cron";
import type { PanelClientFactory } from "@/server/services/nodes/panel-for-node";
import type { HealthSettings } from "@/server/services/settings/settings";
import { pruneHealthHistory, rollUpHealthChecks } from "./health-history";
import { runHealthSweep, sweepMinimumMs } from "./run-health-sweep";

export const HEALTH_STEP = "health";

export function healthSweepCronStep(deps: { panelFor: PanelClientFactory; settings: HealthSettings; concurrency: number; metrics?: FleetMetrics }): CronStep {
  return {
    name: HEALTH_STEP,
    minimumMs: sweepMinimumMs(deps.settings),
    run: ({ db, clock, budgetMs }) => runHealthSweep({ db, clock, ...deps }, { budgetMs }),
  };
}

export function healthHistoryCronStep(deps: { retentionDays: number }): CronStep {
  return {
    name: "health-history",
    reserveMs: 2_000,
    run: async ({ db, clock }) => {
      const now = clock.now();
      const rolledUp = await rollUpHealthChecks(db, { now });
      const pruned = await pruneHealthHistory(db, { now, retentionDays: deps.retentionDays });
      return { rolledUpHours: rolledUp.hours, pruned };
    },
  };
}
