/**
 * The traffic pass behind the cron: every TRAFFIC_INTERVAL_SECONDS each reachable node's counters
 * are read once (read-node-traffic.ts) and applied to the ledger, a bounded number of nodes at a
 * time, inside the step's time budget. Unhealthy and auth_error nodes are skipped — their panels
 * cannot be read — and caught up on the first pass after they recover.
 *
 * Single flight (invariant 6): a node is claimed by a conditional upsert of its
 * `node_traffic_reads.claimed_at`, so two pings or replicas read it once per interval. Even a
 * reading delivered twice (an on-demand read overlapping the cron) counts once: the ledger's
 * compare-and-set decides.
 */
import { inArray, sql } from "drizzle-orm";
import { rowsOf } from "@/server/db/migrate";
import { nodes, type Node } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { runClaimPool } from "@/server/services/claim-pool";
import { readNodeTraffic, type NodeTrafficOutcome } from "./read-node-traffic";
import type { TrafficDeps } from "./traffic-deps";

export type TrafficPassReport = {
  nodes: number;
  failed: number;
  readings: number;
  applied: number;
  /** Readings another writer had applied first. */
  superseded: number;
  resets: number;
  bytes: { up: number; down: number };
  suspended: number;
  /** Nodes due but not started because the budget ran out. */
  skipped: number;
};

// Kept back from the budget for recording outcomes after the last read.
const WRITE_MARGIN_MS = 1_000;

async function claim(deps: TrafficDeps, limit: number): Promise<Node[]> {
  const now = deps.clock.now();
  const dueBefore = new Date(now.getTime() - deps.intervalMs).toISOString();
  const claimed = await deps.db.execute(sql`
    WITH due AS (
      SELECT n.id FROM nodes n LEFT JOIN node_traffic_reads r ON r.node_id = n.id
      WHERE n.health_state NOT IN ('unhealthy', 'auth_error') AND (r.claimed_at IS NULL OR r.claimed_at <= ${dueBefore}::timestamptz)
      ORDER BY r.claimed_at ASC NULLS FIRST, n.id
      LIMIT ${limit}
    )
    INSERT INTO node_traffic_reads (node_id, claimed_at)
    SELECT id, ${now.toISOString()}::timestamptz FROM due
    ON CONFLICT (node_id) DO UPDATE SET claimed_at = excluded.claimed_at
      WHERE node_traffic_reads.claimed_at <= ${dueBefore}::timestamptz
    RETURNING node_id`);
  const ids = rowsOf<{ node_id: string }>(claimed).map((r) => r.node_id);
  return ids.length === 0 ? [] : deps.db.select().from(nodes).where(inArray(nodes.id, ids));
}

/**
 * One statement for every node read in a batch: when it was last read fine, or why not. The row as
 * it was before decides what is logged: a node whose reads start failing is logged once, and once
 * more when they recover — not on every pass while its panel stays away. The state is the database's,
 * not a process's, so a restart or a second replica does not log a failure again; and one replica
 * reads a node per interval (the claim), so one of them sees each change.
 */
async function recordOutcomes(deps: TrafficDeps, outcomes: NodeTrafficOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const rows = outcomes.map((o) => ({ node_id: o.nodeId, error: o.ok ? null : o.error }));
  const updated = await deps.db.execute(sql`
    UPDATE node_traffic_reads r SET
      last_ok_at = CASE WHEN x.error IS NULL THEN ${deps.clock.now().toISOString()}::timestamptz ELSE r.last_ok_at END,
      last_error = x.error
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(node_id uuid, error text), node_traffic_reads before
    WHERE r.node_id = x.node_id AND before.node_id = r.node_id
    RETURNING r.node_id, before.last_error AS failing_with, before.last_ok_at AS last_ok_at`);
  const before = new Map(rowsOf<{ node_id: string; failing_with: string | null; last_ok_at: Date | string | null }>(updated).map((r) => [r.node_id, r]));
  for (const outcome of outcomes) {
    const was = before.get(outcome.nodeId);
    if (!was) continue;
    if (!outcome.ok && was.failing_with === null) logger.warn("traffic read failed", { nodeId: outcome.nodeId, error: outcome.cause, lastReadAt: was.last_ok_at });
    if (outcome.ok && was.failing_with !== null) logger.info("traffic read recovered", { nodeId: outcome.nodeId, failedWith: was.failing_with, unreadSince: was.last_ok_at });
  }
}

export async function runTrafficPass(deps: TrafficDeps, options: { budgetMs: number; nodeIds?: string[] }): Promise<TrafficPassReport> {
  const deadline = performance.now() + options.budgetMs;
  const report: TrafficPassReport = { nodes: 0, failed: 0, readings: 0, applied: 0, superseded: 0, resets: 0, bytes: { up: 0, down: 0 }, suspended: 0, skipped: 0 };
  const tally = (outcome: NodeTrafficOutcome) => {
    report.nodes++;
    if (!outcome.ok) {
      report.failed++;
      return;
    }
    report.readings += outcome.readings;
    report.applied += outcome.applied;
    report.superseded += outcome.superseded;
    report.resets += outcome.resets;
    report.bytes.up += outcome.bytes.up;
    report.bytes.down += outcome.bytes.down;
    report.suspended += outcome.suspended;
  };
  const read = (node: Node) =>
    readNodeTraffic(deps, node).catch((error: unknown): NodeTrafficOutcome => {
      logger.error("traffic pass failed for a node", { nodeId: node.id, error });
      return { nodeId: node.id, ok: false, error: "ledger write failed", cause: error };
    });

  if (options.nodeIds) {
    // On demand: these nodes now, whatever the interval.
    const outcomes = await Promise.all((await deps.db.select().from(nodes).where(inArray(nodes.id, options.nodeIds))).map(read));
    outcomes.forEach(tally);
    await recordOutcomes(deps, outcomes);
    return report;
  }

  // Outcomes are written a pool's worth at a time: one statement per batch, not per node.
  let pending: NodeTrafficOutcome[] = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    await recordOutcomes(deps, batch);
  };
  const { isOutOfTime } = await runClaimPool({
    concurrency: deps.concurrency,
    claim: (limit) => claim(deps, limit),
    run: async (node) => {
      const outcome = await read(node);
      tally(outcome);
      pending.push(outcome);
      if (pending.length >= deps.concurrency) await flush();
    },
    hasTimeFor: () => deadline - performance.now() >= deps.timeoutMs + WRITE_MARGIN_MS,
  });
  await flush();
  if (isOutOfTime) report.skipped = await countDue(deps);
  return report;
}

async function countDue(deps: TrafficDeps): Promise<number> {
  const dueBefore = new Date(deps.clock.now().getTime() - deps.intervalMs).toISOString();
  const result = await deps.db.execute(sql`
    SELECT count(*)::int AS n FROM nodes n LEFT JOIN node_traffic_reads r ON r.node_id = n.id
    WHERE n.health_state NOT IN ('unhealthy', 'auth_error') AND (r.claimed_at IS NULL OR r.claimed_at <= ${dueBefore}::timestamptz)`);
  return Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0);
}
