/** The reconciler's place in a cron run, after the health sweep: reconcile the due nodes inside the step's budget. */
import type { CronStep, CronStepContext } from "@/server/services/cron/run-cron";
import type { ReconcileDeps } from "./reconcile-node";
import { runReconcile } from "./run-reconcile";

export const RECONCILE_STEP = "reconcile";

/** `depsFor` builds the reconciler's collaborators from the run's database and clock. */
export function reconcileCronStep(depsFor: (context: CronStepContext) => ReconcileDeps, options: { intervalMs: number; nodeDeadlineMs: number }): CronStep {
  return {
    name: RECONCILE_STEP,
    reserveMs: 3_000,
    run: async (context) => {
      const deps = depsFor(context);
      const report = await runReconcile(deps, { budgetMs: context.budgetMs, intervalMs: options.intervalMs, nodeDeadlineMs: options.nodeDeadlineMs });
      return {
        nodes: report.nodes.length,
        actions: report.nodes.reduce((sum, n) => sum + n.actions.length, 0),
        failedActions: report.nodes.reduce((sum, n) => sum + n.actions.filter((a) => !a.ok).length, 0),
        unreadableNodes: report.nodes.filter((n) => n.error).length,
        skippedForBudget: report.skipped,
      };
    },
  };
}
