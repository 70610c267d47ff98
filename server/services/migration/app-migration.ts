/**
 * Migration in the running app: the key services' collaborators, the notification config from
 * the env, and the cron step that runs failover, drain and rebalance batches after the health sweep.
 */
import type { Database } from "@/server/db/client";
import { systemClock } from "@/server/services/clock";
import type { CronStep } from "@/server/services/cron/run-cron";
import { appKeyDeps } from "@/server/services/keys/app-key-deps";
import type { PanelFactory } from "@/server/services/keys/key-deps";
import { appNotificationConfig } from "@/server/services/notifications/app-notifications";
import type { Settings } from "@/server/services/settings/settings";
import type { MigrationDeps } from "./migration-deps";
import { runFleetOperations } from "./run-fleet-operations";

export const FLEET_OPERATIONS_STEP = "fleet-operations";

export function appMigrationDeps(db: Database): MigrationDeps {
  return { ...appKeyDeps(db), clock: systemClock, notifications: appNotificationConfig() };
}

export function fleetOperationsCronStep(deps: { panelFor: PanelFactory; settings: Settings }): CronStep {
  return {
    name: FLEET_OPERATIONS_STEP,
    reserveMs: 5_000,
    run: ({ db, clock, budgetMs }) =>
      runFleetOperations({ ...appMigrationDeps(db), panelFor: deps.panelFor, clock, failover: deps.settings.failover }, { budgetMs }),
  };
}
