/** The reconciler's collaborators in the running app, from the validated env. */
import type { Database } from "@/server/db/client";
import { getEnv } from "@/server/env";
import type { CronStep } from "@/server/services/cron/run-cron";
import { getPanelClientFactory } from "@/server/services/nodes/app-node-deps";
import type { PanelFactory } from "@/server/services/keys/key-deps";
import { reconcileCronStep } from "./reconcile-cron-step";
import type { ReconcileDeps } from "./reconcile-node";

export function appReconcileDeps(db: Database, startedBy = "system"): ReconcileDeps {
  const env = getEnv();
  return {
    db,
    panelFor: getPanelClientFactory(),
    graceMs: env.RECONCILE_GRACE_SECONDS * 1000,
    maxActions: env.RECONCILE_MAX_ACTIONS,
    startedBy,
  };
}

/** The cron step with the cron's own collaborators (its panel factory and clock). */
export function appReconcileCronStep(deps: { panelFor: PanelFactory }): CronStep {
  return reconcileCronStep(
    ({ db, clock }) => ({ ...appReconcileDeps(db), panelFor: deps.panelFor, clock }),
    { intervalMs: getEnv().RECONCILE_INTERVAL_SECONDS * 1000 },
  );
}
