/**
 * The health sweep behind the cron route. It claims due nodes a pool's worth at a time
 * (claim-due-nodes.ts: never a node another sweep holds), checks them concurrently with one
 * deadline per node, applies rise/fall hysteresis and records every check, every transition (as
 * an `events` row the failover service acts on) and the node's new state.
 *
 * Blast-radius guard (invariant 5, blast-radius.ts): a node that would become unhealthy is written
 * only once the whole sweep is in. If more than max(3, 20%) of the nodes that were serving failed
 * their check, the likely cause is our own network, so no node moves to unhealthy in that sweep
 * (except those an owner released), a `failover.held` alert is recorded (again every
 * HOLD_ALERT_REPEAT_MS while it lasts) and the answer says `inconclusive: true`. Nodes that were not
 * serving — never verified, misconfigured, refusing our credentials, draining — count neither
 * towards the fleet nor towards the failures.
 *
 * Time budget: no check starts unless it can finish within the budget; what is still due stays
 * unclaimed for the next ping.
 */
import { and, count, eq, inArray, isNull } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { events, nodes, type Node, type NodeHealthState } from "@/server/db/schema";
import { logger } from "@/server/logger";
import type { FleetMetrics } from "@/server/metrics/fleet-metrics";
import { ref } from "@/server/messages";
import type { Clock } from "../clock";
import { newLeaseOwner } from "../lease-owner";
import type { PanelClientFactory } from "../nodes/panel-for-node";
import type { HealthSettings } from "../settings/settings";
import { blastRadiusLimit, isHoldAlertDue, isServing, latestHoldEvent } from "./blast-radius";
import { checkNode, EMPTY_CHECK, type CheckResult } from "./check-node";
import { claimDueNodes, dueNodesCondition } from "./claim-due-nodes";
import { nextHealth, type HealthStatus, type HealthThresholds } from "./next-health";
import { recordChecks, type CheckWrite } from "./record-checks";

export type HealthSweepDeps = {
  db: Database;
  panelFor: PanelClientFactory;
  clock: Clock;
  settings: Pick<HealthSettings, "intervalSeconds" | "fall" | "fallWindowSeconds" | "rise" | "timeoutMs">;
  /** How many checks run at once (HEALTH_CONCURRENCY). */
  concurrency: number;
  metrics?: FleetMetrics;
};

export type HealthTransition = { nodeId: string; name: string; from: NodeHealthState; to: NodeHealthState };

export type HealthSweepSummary = {
  checked: number;
  healthy: number;
  degraded: number;
  unhealthy: number;
  authError: number;
  misconfigured: number;
  /** Checks that failed (unreachable, timeout, Xray not running); auth errors and misconfigurations are not counted. */
  failed: number;
  /** Of those, the nodes that were serving before the sweep: what the blast-radius guard weighs. */
  failedServing: number;
  transitions: HealthTransition[];
  /** Nodes still due when the budget ran out, left for the next ping. */
  skipped: number;
  inconclusive: boolean;
  durationMs: number;
};

// Time kept back from the budget for writing results after the last check's deadline.
const WRITE_MARGIN_MS = 1_000;

/** The least budget a sweep can check nodes with: the claim, one panel timeout, and the writes after it. */
export function sweepMinimumMs(settings: Pick<HealthSettings, "timeoutMs">): number {
  return settings.timeoutMs + 2 * WRITE_MARGIN_MS;
}
// Finished checks are written together, up to this many in one statement (record-checks.ts)…
const WRITE_BATCH = 100;
// …or after this long, whichever comes first.
const WRITE_LINGER_MS = 50;
// Free slots are filled after this long even when fewer than a quarter of the pool is free.
const REFILL_WAIT_MS = 50;
// A lease outlives the sweep's budget by this much, so a crashed replica's nodes come back soon.
const LEASE_GRACE_MS = 10_000;

/**
 * A copy of a panel inbound added twice before the rule (nodes.is_panel_duplicate) is misconfigured
 * without asking its panel; once the original is gone the copy is an ordinary node again.
 */
async function duplicateCheck(db: Database, node: Node): Promise<CheckResult | null> {
  if (!node.isPanelDuplicate) return null;
  const [original] = await db
    .select({ name: nodes.name })
    .from(nodes)
    .where(and(eq(nodes.panelAddress, node.panelAddress ?? ""), eq(nodes.inboundId, node.inboundId), eq(nodes.isPanelDuplicate, false)))
    .limit(1);
  if (!original) {
    await db.update(nodes).set({ isPanelDuplicate: false }).where(eq(nodes.id, node.id)).catch((error: unknown) => logger.warn("duplicate flag not cleared", { nodeId: node.id, error }));
    return null;
  }
  return {
    ...EMPTY_CHECK,
    outcome: "misconfigured",
    error: `same panel inbound as node ${original.name}`,
    errorRef: ref("check.duplicate", { node: original.name, inbound: node.inboundId }),
  };
}

function healthStatusOf(node: Node): HealthStatus {
  return {
    state: node.healthState,
    consecutiveSuccesses: node.consecutiveSuccesses,
    consecutiveFailures: node.consecutiveFailures,
    failingSince: node.failingSince,
  };
}

/** Resolves when a check finishes (false) or, with a wait, when that long passed first (true). */
async function nextFinished(inFlight: Set<Promise<void>>, waitMs: number | null): Promise<boolean> {
  if (waitMs === null) return Promise.race(inFlight).then(() => false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), waitMs);
  });
  try {
    return await Promise.race([Promise.race(inFlight).then(() => false), waited]);
  } finally {
    clearTimeout(timer);
  }
}

export async function runHealthSweep(deps: HealthSweepDeps, options: { budgetMs: number }): Promise<HealthSweepSummary> {
  const { db, clock, settings } = deps;
  const started = performance.now();
  const deadline = started + options.budgetMs;
  const owner = newLeaseOwner();
  const thresholds: HealthThresholds = { rise: settings.rise, fall: settings.fall, fallWindowMs: settings.fallWindowSeconds * 1000 };
  const concurrency = Math.max(1, deps.concurrency);
  // Claim again only when a quarter of the pool is free, so claims cost few statements per node —
  // or when free slots stayed free for REFILL_WAIT_MS: the rest of the pool is held by panels that
  // hang, and waiting for a quarter would hold every node still due behind their timeouts.
  const refillAt = Math.max(1, Math.ceil(concurrency / 4));

  const [fleet] = await db
    .select({ n: count() })
    .from(nodes)
    .where(and(eq(nodes.adminState, "active"), inArray(nodes.healthState, ["healthy", "degraded"]), isNull(nodes.failoverHoldReleasedAt)));
  const fleetSize = fleet?.n ?? 0;

  const summary: HealthSweepSummary = {
    checked: 0,
    healthy: 0,
    degraded: 0,
    unhealthy: 0,
    authError: 0,
    misconfigured: 0,
    failed: 0,
    failedServing: 0,
    transitions: [],
    skipped: 0,
    inconclusive: false,
    durationMs: 0,
  };
  const heldBack: { node: Node; result: CheckResult; at: Date }[] = [];
  /** The serving nodes whose check failed: what a held sweep holds, shown in the dashboard's banner. */
  const failedServingIds: string[] = [];

  const tally = ({ node, next }: CheckWrite) => {
    summary.checked++;
    if (next.state === "healthy") summary.healthy++;
    else if (next.state === "degraded") summary.degraded++;
    else if (next.state === "unhealthy") summary.unhealthy++;
    else if (next.state === "auth_error") summary.authError++;
    else if (next.state === "misconfigured") summary.misconfigured++;
    if (next.state !== node.healthState) summary.transitions.push({ nodeId: node.id, name: node.name, from: node.healthState, to: next.state });
  };
  const writeBatch = async (batch: CheckWrite[]) => {
    let written: Set<string>;
    try {
      written = await recordChecks(db, owner, batch);
    } catch (error) {
      if (batch.length > 1) {
        // One bad row must not cost the others their record: write them one by one.
        await Promise.all(batch.map((item) => writeBatch([item])));
        return;
      }
      logger.error("health check not recorded", { nodeId: batch[0]!.node.id, error });
      return;
    }
    for (const item of batch) {
      if (written.has(item.node.id)) tally(item);
      else logger.warn("health check discarded: lease lost", { nodeId: item.node.id });
    }
  };
  // Finished checks wait up to WRITE_LINGER_MS for others to share their statement.
  const pending: CheckWrite[] = [];
  const writing = new Set<Promise<void>>();
  let linger: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (linger) clearTimeout(linger);
    linger = null;
    if (pending.length === 0) return;
    const task: Promise<void> = writeBatch(pending.splice(0)).finally(() => writing.delete(task));
    writing.add(task);
  };
  const write = (item: CheckWrite) => {
    pending.push(item);
    if (pending.length >= WRITE_BATCH) flush();
    else linger ??= setTimeout(flush, WRITE_LINGER_MS);
  };

  const checkAndRecord = async (node: Node) => {
    const result = (await duplicateCheck(db, node)) ?? (await checkNode(deps.panelFor, node, settings.timeoutMs));
    deps.metrics?.healthCheck(node, result.outcome, result.latencyMs);
    const at = clock.now();
    if (result.outcome === "unreachable" || result.outcome === "xray_down") {
      summary.failed++;
      if (isServing(node)) {
        summary.failedServing++;
        failedServingIds.push(node.id);
      }
    }
    const next = nextHealth(healthStatusOf(node), result.outcome, thresholds, at);
    if (next.state === "unhealthy" && node.healthState !== "unhealthy") {
      heldBack.push({ node, result, at });
      return;
    }
    write({ node, result, next, at });
  };

  const inFlight = new Set<Promise<void>>();
  let isDrained = false;
  let isOutOfTime = false;
  let hasWaited = false;
  while (!isDrained) {
    const remainingMs = deadline - performance.now();
    if (remainingMs < settings.timeoutMs + WRITE_MARGIN_MS) {
      isOutOfTime = true;
      break;
    }
    const free = concurrency - inFlight.size;
    if (free >= refillAt || inFlight.size === 0 || (hasWaited && free > 0)) {
      const now = clock.now();
      const claimed = await claimDueNodes(db, {
        owner,
        now,
        dueBefore: new Date(now.getTime() - settings.intervalSeconds * 1000),
        leaseUntil: new Date(now.getTime() + remainingMs + LEASE_GRACE_MS),
        limit: free,
      });
      isDrained = claimed.length < free;
      for (const node of claimed) {
        const task: Promise<void> = checkAndRecord(node).finally(() => inFlight.delete(task));
        inFlight.add(task);
      }
    }
    if (inFlight.size === 0) break;
    if (!isDrained) hasWaited = await nextFinished(inFlight, concurrency > inFlight.size ? REFILL_WAIT_MS : null);
  }
  await Promise.all(inFlight);
  flush();
  await Promise.all(writing);

  summary.inconclusive = summary.failedServing > blastRadiusLimit(fleetSize);
  const held = heldBack.filter(({ node }) => summary.inconclusive && node.failoverHoldReleasedAt === null);
  await writeBatch(
    heldBack.map(({ node, result, at }) => {
      const holdUnhealthy = held.some((h) => h.node.id === node.id);
      return { node, result, next: nextHealth(healthStatusOf(node), result.outcome, thresholds, at, { holdUnhealthy }), at };
    }),
  );
  const sweptAt = clock.now();
  if (summary.inconclusive && isHoldAlertDue(await latestHoldEvent(db), sweptAt)) {
    const limit = Math.floor(blastRadiusLimit(fleetSize));
    await db.insert(events).values({
      createdAt: sweptAt,
      kind: "failover.held",
      severity: "critical",
      message:
        `${summary.failedServing} of ${fleetSize} serving nodes failed their health check in one sweep, more than the limit of ` +
        `${limit}. This looks like a problem with this server's own network, so no node was marked unhealthy and nothing will migrate.`,
      messageRef: ref("event.failover.held", { failed: summary.failedServing, fleet: fleetSize, limit }),
      data: { failed: summary.failedServing, fleetSize, limit: blastRadiusLimit(fleetSize), heldNodeIds: failedServingIds },
    });
  }
  if (summary.inconclusive) logger.warn("health sweep inconclusive: failover held", { failed: summary.failedServing, fleetSize });
  if (isOutOfTime) {
    const now = clock.now();
    const [left] = await db
      .select({ n: count() })
      .from(nodes)
      .where(dueNodesCondition(now, new Date(now.getTime() - settings.intervalSeconds * 1000)));
    summary.skipped = left?.n ?? 0;
  }
  summary.durationMs = Math.round(performance.now() - started);
  deps.metrics?.healthSweep(summary);
  return summary;
}
