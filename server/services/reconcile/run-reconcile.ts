/**
 * Reconciles the fleet, node by node, inside a time budget: from the cron (after the health
 * sweep) and on demand. Nodes that need it most go first: those flagged `needs_reconcile`, then
 * the longest unreconciled. Unhealthy and auth_error nodes are skipped — their panels cannot be
 * read — and picked up once the health sweep sees them again.
 *
 * Single flight (invariant 6): a node is claimed by a conditional UPDATE of `last_reconciled_at`,
 * so two cron pings or two replicas never reconcile the same node within one interval. The
 * actions themselves are idempotent, so a forced on-demand run that overlaps one is harmless.
 *
 * Hanging panels cannot starve the rest: `concurrency` nodes are reconciled at once, a panel that
 * does not answer costs its slot one panel deadline (the panel is read before anything else, so an
 * unreadable node ends there), and no node starts with less than that deadline left in the budget.
 */
import { and, asc, desc, eq, isNull, lt, notInArray, or, sql, type SQL } from "drizzle-orm";
import { nodes } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { reconcileNode, type NodeReconcileReport, type ReconcileDeps } from "./reconcile-node";

export type RunReconcileOptions = {
  /** Stop starting new nodes after this long. */
  budgetMs: number;
  /** A node reconciled more recently than this is skipped, unless it needs reconciling. */
  intervalMs: number;
  /** Only this node (on demand); ignores the interval. */
  nodeId?: string;
  /** Nodes reconciled at once. */
  concurrency?: number;
  /** The panel deadline: no node starts with less than this left in the budget. */
  nodeDeadlineMs?: number;
};

export type FleetReconcileReport = {
  nodes: NodeReconcileReport[];
  /** Nodes due but not started because the budget ran out. */
  skipped: number;
};

/** Nodes at once when the caller does not say: hanging panels hold a slot for one panel deadline each. */
export const DEFAULT_RECONCILE_CONCURRENCY = 16;

/** Nodes flagged by the health sweep are retried sooner than the regular interval. */
const FLAGGED_RETRY_MS = 15_000;

function staleBefore(ms: number): SQL {
  return sql`now() - make_interval(secs => ${ms / 1000})`;
}

async function claim(deps: ReconcileDeps, nodeId: string, intervalMs: number | null): Promise<boolean> {
  const due =
    intervalMs === null
      ? undefined
      : or(
          isNull(nodes.lastReconciledAt),
          lt(nodes.lastReconciledAt, staleBefore(intervalMs)),
          and(eq(nodes.needsReconcile, true), lt(nodes.lastReconciledAt, staleBefore(Math.min(intervalMs, FLAGGED_RETRY_MS)))),
        );
  const rows = await deps.db
    .update(nodes)
    .set({ lastReconciledAt: sql`now()` })
    .where(and(eq(nodes.id, nodeId), due))
    .returning({ id: nodes.id });
  return rows.length > 0;
}

export async function runReconcile(deps: ReconcileDeps, options: RunReconcileOptions): Promise<FleetReconcileReport> {
  const deadline = Date.now() + options.budgetMs;
  const candidates = await deps.db
    .select({ id: nodes.id })
    .from(nodes)
    .where(options.nodeId ? eq(nodes.id, options.nodeId) : notInArray(nodes.healthState, ["unhealthy", "auth_error"]))
    .orderBy(desc(nodes.needsReconcile), sql`${nodes.lastReconciledAt} ASC NULLS FIRST`, asc(nodes.name));
  const report: FleetReconcileReport = { nodes: [], skipped: 0 };
  const queue = [...candidates];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (Date.now() + (options.nodeDeadlineMs ?? 0) > deadline) {
        report.skipped++;
        continue;
      }
      if (!(await claim(deps, next.id, options.nodeId ? null : options.intervalMs))) continue;
      try {
        report.nodes.push(await reconcileNode(deps, next.id));
      } catch (error) {
        logger.error("reconcile failed for a node", { nodeId: next.id, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? DEFAULT_RECONCILE_CONCURRENCY) }, worker));
  // In the order the nodes were due, whichever finished first.
  const order = new Map(candidates.map((c, i) => [c.id, i]));
  report.nodes.sort((a, b) => (order.get(a.nodeId) ?? 0) - (order.get(b.nodeId) ?? 0));
  return report;
}
