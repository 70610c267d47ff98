/** Failover, drain and rebalance batches in a cron run, after the health sweep and the reconciler. */
import type { CronStep } from "@/server/services/cron/run-cron";
import type { FleetOperationDeps } from "./migration-deps";
import { runFleetOperations } from "./run-fleet-operations";

const FLEET_OPERATIONS_STEP = "fleet-operations";

export function fleetOperationsCronStep(deps: FleetOperationDeps): CronStep {
  return {
    name: FLEET_OPERATIONS_STEP,
    reserveMs: 5_000,
    run: ({ budgetMs }) => runFleetOperations(deps, { budgetMs }),
  };
}
