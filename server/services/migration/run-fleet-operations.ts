/**
 * The cron step for failover, drain and rebalance work, run after the health sweep in the same
 * time budget. Each ping:
 *
 * 1. settles work whose process died: moves (the placement they began is activated or failed),
 *    keys being created on a node since declared down (placed again elsewhere), and old keys
 *    still to be taken off their panels — nobody waits in flight past the deadline (invariant 12);
 * 2. starts a failover for every node `unhealthy` for at least the grace period that still holds
 *    users — unless the blast-radius guard holds (a `failover.held` alert recently, or more of the
 *    nodes that served down than max(3, 20%), when the likely culprit is our own network:
 *    invariant 5, health/blast-radius.ts); a node whose hold an owner released fails over anyway.
 *    The node is flagged `needs_reconcile`, so when it comes back it takes no new users until the
 *    reconciler has removed the clients of the users who left; with AUTO_RETURN_TO_SERVICE off it
 *    is also set `draining`, so only an admin returns it to service;
 * 3. starts a drain for every `draining` node that still holds users (whoever set the state);
 * 4. works on every open operation, all at once, while the budget lasts — not a batch per ping:
 *    the only brake is FAILOVER_MAX_MOVES_PER_MINUTE, one token bucket for the whole deployment
 *    (move-rate.ts), so 1,000 users move in about a minute at the default rate of 1,000, across
 *    as many pings and replicas as that takes (evacuation.ts).
 *
 * A node whose last wave left users behind because no node had room is not started again until
 * WAVE_COOLDOWN_MS has passed (they are retried then, not on every ping). Any other reason starts
 * the next wave at once: users of a dead node are never left there waiting for a cool-down.
 */
import { and, desc, eq, inArray, isNotNull, lte, ne, sql } from "drizzle-orm";
import { assignments, events, nodes, operations, vpnUsers } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { countDown, isHoldActive, isHoldAlertDue, latestHoldEvent } from "@/server/services/health/blast-radius";
import { placeKey } from "@/server/services/keys/place-key";
import { settleStaleRetirements, settleStrandedOnDeadNodes } from "@/server/services/keys/settle-in-flight";
import { recordNotifiedEvent } from "@/server/services/notifications/enqueue-notification";
import { createEvacuation, findOpenEvacuation, listOpenBatchOperations, lockNodeOperations, workOperation, EVACUATION_KINDS, type BatchReport, type EvacuationKind } from "./evacuation";
import { recoverInterruptedMoves } from "./migrate-item";
import type { FleetOperationDeps, MigrationDeps } from "./migration-deps";
import { ref } from "@/server/messages";

/** A wave that found no room for some users is not repeated for this long (reliability §2.4). */
const WAVE_COOLDOWN_MS = 5 * 60_000;
const DEFAULT_CONCURRENCY = 8;
/** No move starts with less than this left in the budget: a move is a few panel calls. */
const MOVE_MARGIN_MS = 3_000;

export type FleetOperationsReport = {
  recovered: number;
  /** Users whose key was being created on a node declared down, placed again elsewhere. */
  replaced: number;
  /** Old keys whose request died before taking them off their panel, taken off now. */
  retired: number;
  isHeld: boolean;
  started: { operationId: string; kind: EvacuationKind; nodeId: string; total: number }[];
  batches: BatchReport[];
};

async function isFailoverHeld(deps: FleetOperationDeps, now: Date): Promise<boolean> {
  const latest = await latestHoldEvent(deps.db);
  const guard = countDown(await deps.db.select({ adminState: nodes.adminState, healthState: nodes.healthState, failoverHoldReleasedAt: nodes.failoverHoldReleasedAt }).from(nodes));
  if (guard.isOverLimit && isHoldAlertDue(latest, now)) {
    const limit = Math.floor(guard.limit);
    await deps.db.transaction((tx) =>
      recordNotifiedEvent(tx, deps.notifications, {
        kind: "failover.held",
        severity: "critical",
        message:
          `${guard.down} of ${guard.fleetSize} serving nodes are unhealthy, more than the limit of ${limit}. ` +
          "Automatic failover is on hold: check this server's own network before moving users by hand.",
        messageRef: ref("event.failover.heldUnhealthy", { unhealthy: guard.down, fleet: guard.fleetSize, limit }),
        data: { unhealthy: guard.down, fleetSize: guard.fleetSize, limit: guard.limit },
        at: now,
      }),
    );
  }
  return guard.isOverLimit || isHoldActive(latest, now);
}

/** The wave reported users it found no room for (capacity.low). */
async function hasFoundNoRoom(deps: FleetOperationDeps, operationId: string): Promise<boolean> {
  const [found] = await deps.db
    .select({ id: events.id })
    .from(events)
    .where(and(eq(events.kind, "capacity.low"), sql`${events.data}->>'operationId' = ${operationId}`))
    .limit(1);
  return found !== undefined;
}

/** Nodes that hold active users and match `where`, with no wave open, nor one that found no room within the cool-down. */
async function nodesToEvacuate(deps: FleetOperationDeps, condition: ReturnType<typeof and>, now: Date): Promise<{ id: string; name: string }[]> {
  const rows = await deps.db
    .selectDistinct({ id: nodes.id, name: nodes.name })
    .from(nodes)
    .innerJoin(assignments, and(eq(assignments.nodeId, nodes.id), eq(assignments.state, "active"), eq(assignments.role, "primary")))
    .where(condition);
  const due: { id: string; name: string }[] = [];
  for (const node of rows) {
    const [last] = await deps.db
      .select({ id: operations.id, status: operations.status, finishedAt: operations.finishedAt })
      .from(operations)
      .where(and(eq(operations.nodeId, node.id), inArray(operations.kind, [...EVACUATION_KINDS])))
      .orderBy(desc(operations.createdAt))
      .limit(1);
    const isOpen = last && (last.status === "pending" || last.status === "running");
    const isRecent = last?.finishedAt && now.getTime() - last.finishedAt.getTime() < WAVE_COOLDOWN_MS;
    const isCooling = isRecent && (await hasFoundNoRoom(deps, last.id));
    if (!isOpen && !isCooling) due.push(node);
  }
  return due;
}

async function startEvacuation(deps: FleetOperationDeps, kind: EvacuationKind, node: { id: string; name: string }, now: Date) {
  return deps.db.transaction(async (tx) => {
    await lockNodeOperations(tx, node.id);
    if (await findOpenEvacuation(tx, node.id)) return null;
    const reason =
      kind === "failover"
        ? ref("operation.reason.failover", { node: node.name, seconds: deps.failover.graceSeconds })
        : ref("operation.reason.draining", { node: node.name });
    const operation = await createEvacuation(tx, { kind, nodeId: node.id, startedBy: "system", reason }, now);
    if (kind === "failover") {
      await tx
        .update(nodes)
        .set({ needsReconcile: true, ...(deps.failover.autoReturnToService ? {} : { adminState: "draining" as const }) })
        .where(eq(nodes.id, node.id));
      await tx.insert(events).values({
        kind: "failover.started",
        severity: "warning",
        nodeId: node.id,
        message:
          `Moving ${operation.total} user${operation.total === 1 ? "" : "s"} off ${node.name}. ` +
          (deps.failover.autoReturnToService
            ? "It takes new users again once it is back and the reconciler has cleaned it."
            : "It stays draining until an admin returns it to service."),
        messageRef: ref(deps.failover.autoReturnToService ? "event.failover.startedAutoReturn" : "event.failover.startedStaysDraining", {
          count: operation.total,
          node: node.name,
        }),
        data: { operationId: operation.id, total: operation.total },
      });
    }
    return { operationId: operation.id, kind, nodeId: node.id, total: operation.total };
  });
}

/** Step 1 above, also on its own for tests: what crashed requests and moves left in flight. */
export async function recoverStrandedWork(deps: MigrationDeps): Promise<Pick<FleetOperationsReport, "recovered" | "replaced" | "retired">> {
  const recovered = await recoverInterruptedMoves(deps);
  const replaced = await settleStrandedOnDeadNodes(deps, async (userId) => {
    const [user] = await deps.db.select({ telegramId: vpnUsers.telegramId }).from(vpnUsers).where(eq(vpnUsers.id, userId));
    if (!user) return;
    await placeKey(deps, { telegramId: user.telegramId, mode: "replace-unservable" }).catch((error: unknown) =>
      logger.warn("a user stranded on a dead node could not be placed again yet", { userId, error }),
    );
  });
  const retired = await settleStaleRetirements(deps);
  return { recovered, replaced, retired };
}

export async function runFleetOperations(deps: FleetOperationDeps, options: { budgetMs: number }): Promise<FleetOperationsReport> {
  const deadline = performance.now() + options.budgetMs;
  const now = deps.clock.now();
  const report: FleetOperationsReport = { recovered: 0, replaced: 0, retired: 0, isHeld: false, started: [], batches: [] };

  Object.assign(report, await recoverStrandedWork(deps));

  report.isHeld = await isFailoverHeld(deps, now);
  const graceEnd = new Date(now.getTime() - deps.failover.graceSeconds * 1000);
  const dead = await nodesToEvacuate(
    deps,
    and(
      eq(nodes.healthState, "unhealthy"),
      ne(nodes.adminState, "disabled"),
      lte(nodes.healthChangedAt, graceEnd),
      report.isHeld ? isNotNull(nodes.failoverHoldReleasedAt) : undefined,
    ),
    now,
  );
  const draining = await nodesToEvacuate(deps, and(eq(nodes.adminState, "draining")), now);
  const starts: [EvacuationKind, { id: string; name: string }][] = [
    ...dead.map((n) => ["failover", n] as [EvacuationKind, typeof n]),
    ...draining.filter((n) => !dead.some((d) => d.id === n.id)).map((n) => ["drain", n] as [EvacuationKind, typeof n]),
  ];
  for (const [kind, node] of starts) {
    const started = await startEvacuation(deps, kind, node, now);
    if (started) report.started.push(started);
  }

  const moveDeadline = deadline - MOVE_MARGIN_MS;
  if (performance.now() >= moveDeadline) return report;
  const open = await listOpenBatchOperations(deps);
  const worked = await Promise.all(
    open.map(({ id }) =>
      workOperation(deps, id, {
        concurrency: deps.concurrency ?? DEFAULT_CONCURRENCY,
        deadline: moveDeadline,
        maxMovesPerMinute: deps.failover.maxMovesPerMinute,
      }).catch((error: unknown) => {
        logger.error("operation work failed", { operationId: id, error });
        return null;
      }),
    ),
  );
  report.batches.push(...worked.filter((b) => b !== null));
  return report;
}
