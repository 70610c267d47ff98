/**
 * The ledger's and the plan enforcer's places in a cron run, after the health sweep (which decides
 * which nodes are readable) and before the reconciler (whose plan repairs want fresh counters):
 * read the counters, then suspend whoever is out of time or quota and announce coming expiries,
 * then trim the roll-ups.
 */
import type { CronStep, CronStepContext } from "@/server/services/cron/run-cron";
import { enforcePlans, notifyExpiringUsers } from "@/server/services/plans/enforce-plans";
import type { PlanDeps } from "@/server/services/plans/plan-deps";
import { runTrafficPass } from "./run-traffic-pass";
import type { TrafficDeps } from "./traffic-deps";
import { pruneTrafficHistory } from "./traffic-history";

export const TRAFFIC_STEP = "traffic";

/** `depsFor` builds the collaborators from the run's database and clock. */
export function trafficCronStep(depsFor: (context: CronStepContext) => TrafficDeps): CronStep {
  return {
    name: TRAFFIC_STEP,
    reserveMs: 5_000,
    run: async (context) => {
      const deps = depsFor(context);
      const report = await runTrafficPass(deps, { budgetMs: context.budgetMs });
      const pruned = await pruneTrafficHistory(deps.db, { now: deps.clock.now() });
      return { ...report, pruned };
    },
  };
}

export function plansCronStep(depsFor: (context: CronStepContext) => PlanDeps): CronStep {
  return {
    name: "plans",
    reserveMs: 2_000,
    run: async (context) => {
      const deps = depsFor(context);
      const enforced = await enforcePlans(deps);
      const expiringNotified = await notifyExpiringUsers(deps);
      return { ...enforced, expiringNotified };
    },
  };
}
