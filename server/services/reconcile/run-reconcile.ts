/**
 * Reconciles the fleet, node by node, inside a time budget: from the cron (after the health
 * sweep) and on demand. Nodes that need it most go first: those flagged `needs_reconcile`, then
 * the longest unreconciled. Unhealthy and auth_error nodes are skipped — their panels cannot be
 * read — and picked up once the health sweep sees them again.
 *
 * Single flight (invariant 6): a node is claimed by a conditional UPDATE of `last_reconciled_at`,
 * so two cron pings or two replicas never reconcile the same node within one interval. The
 * actions themselves are idempotent, so a forced on-demand run that overlaps one is harmless.
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
};

export type FleetReconcileReport = {
  nodes: NodeReconcileReport[];
  /** Nodes due but not started because the budget ran out. */
  skipped: number;
};

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
  for (const { id } of candidates) {
    if (Date.now() >= deadline) {
      report.skipped++;
      continue;
    }
    if (!(await claim(deps, id, options.nodeId ? null : options.intervalMs))) continue;
    try {
      report.nodes.push(await reconcileNode(deps, id));
    } catch (error) {
      logger.error("reconcile failed for a node", { nodeId: id, error });
    }
  }
  return report;
}
