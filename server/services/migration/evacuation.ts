/**
 * Operations that move many users off a node, in batches: `failover` (the node died), `drain`
 * (an admin is emptying it) and `rebalance` (moves planned by plan-moves.ts, started from
 * fleet-plans.ts). An operation is a row with one `operation_items` row per user, so its progress
 * is visible while it runs.
 *
 * At most one failover or drain is open per node: creating one takes a transaction-scoped
 * advisory lock on the node, then checks. Processing is claimed per operation with the lease
 * columns (`lease_owner`, `lease_until`), so two cron pings or two replicas never work on the same
 * operation at once (invariant 6); within a batch, a user is moved by migrate-item.ts.
 */
import { and, asc, count, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { assignments, nodes, operationItems, operations, type Operation, type OperationItem } from "@/server/db/schema";
import { isAppError } from "@/server/errors";
import { logger } from "@/server/logger";
import type { AuditActor } from "@/server/services/actor";
import type { Transaction } from "@/server/services/audit/record-audit";
import { newLeaseOwner } from "@/server/services/lease-owner";
import { deleteNode } from "@/server/services/nodes/delete-node";
import { recordNotifiedEvent } from "@/server/services/notifications/enqueue-notification";
import { itemDetail, migrateItem, recoverInterruptedMoves, type MoveOutcome } from "./migrate-item";
import { returnMoveTokens, takeMoveTokens } from "./move-rate";
import type { MigrationDeps, MoveReason } from "./migration-deps";
import type { MessageRef } from "@/server/message-ref";
import { ref } from "@/server/messages";

export const EVACUATION_KINDS = ["failover", "drain"] as const;
export type EvacuationKind = (typeof EVACUATION_KINDS)[number];
export type BatchKind = EvacuationKind | "rebalance";
const BATCH_KINDS: BatchKind[] = ["failover", "drain", "rebalance"];
const OPEN: Operation["status"][] = ["pending", "running"];

// Lock-id namespace for per-node operation creation (two-int form, apart from the keys' user locks).
const NODE_OPERATION_LOCK_NAMESPACE = 5_302;

/** What a drain operation remembers about the admin's request. */
export type DrainPlan = { deleteWhenEmpty: boolean };

const REASON_OF: Record<BatchKind, MoveReason> = { failover: "failover", drain: "drain", rebalance: "rebalance" };

export async function lockNodeOperations(tx: Transaction, nodeId: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${NODE_OPERATION_LOCK_NAMESPACE}::int, hashtext(${nodeId}))`);
}

export async function findOpenEvacuation(tx: Transaction, nodeId: string): Promise<Operation | null> {
  const [open] = await tx
    .select()
    .from(operations)
    .where(and(eq(operations.nodeId, nodeId), inArray(operations.kind, [...EVACUATION_KINDS]), inArray(operations.status, OPEN)))
    .limit(1);
  return open ?? null;
}

export type NewEvacuation = {
  kind: EvacuationKind;
  nodeId: string;
  startedBy: string;
  actorAdminId?: string | null;
  /** Why it runs: the operations list's "Why", in the reader's language. */
  reason: MessageRef;
  plan?: DrainPlan;
};

/**
 * An operation with one pending item per user holding an active key on the node. The caller holds
 * the node's operation lock and has checked that none is open. Pending keys (a request in flight)
 * are left to finish; a later wave picks them up.
 */
export async function createEvacuation(tx: Transaction, input: NewEvacuation, now: Date): Promise<Operation> {
  const users = await tx
    .select({ userId: assignments.userId })
    .from(assignments)
    // Standbys on the node are replaced by the standby pass, not moved: a move is for the key users were given.
    .where(and(eq(assignments.nodeId, input.nodeId), eq(assignments.state, "active"), eq(assignments.role, "primary")))
    .orderBy(asc(assignments.createdAt));
  const isEmpty = users.length === 0;
  const [operation] = await tx
    .insert(operations)
    .values({
      kind: input.kind,
      status: isEmpty ? "succeeded" : "running",
      nodeId: input.nodeId,
      startedBy: input.startedBy,
      actorAdminId: input.actorAdminId ?? null,
      reasonRef: input.reason,
      plan: input.plan ?? null,
      total: users.length,
      startedAt: now,
      finishedAt: isEmpty ? now : null,
    })
    .returning();
  if (!operation) throw new Error("operation insert returned nothing");
  for (let i = 0; i < users.length; i += 1_000) {
    await tx.insert(operationItems).values(users.slice(i, i + 1_000).map((u) => ({ operationId: operation.id, userId: u.userId, fromNodeId: input.nodeId })));
  }
  return operation;
}

/** Pending items become `skipped` and the operation `cancelled`; moves already running finish. */
export async function cancelOperation(tx: Transaction, operationId: string, why: MessageRef): Promise<void> {
  await tx
    .update(operationItems)
    .set({ status: "skipped", ...itemDetail(why), updatedAt: sql`now()` })
    .where(and(eq(operationItems.operationId, operationId), eq(operationItems.status, "pending")));
  await tx
    .update(operations)
    .set({ status: "cancelled", error: why.code, errorRef: why, finishedAt: sql`now()`, leaseOwner: null, leaseUntil: null })
    .where(and(eq(operations.id, operationId), inArray(operations.status, OPEN)));
  await refreshCounters(tx, operationId);
}

async function refreshCounters(db: Transaction | MigrationDeps["db"], operationId: string): Promise<{ pending: number; running: number; succeeded: number; problems: number }> {
  const rows = await db
    .select({ status: operationItems.status, n: count() })
    .from(operationItems)
    .where(eq(operationItems.operationId, operationId))
    .groupBy(operationItems.status);
  const by = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
  const tally = { pending: by("pending"), running: by("running"), succeeded: by("succeeded"), problems: by("failed") + by("skipped") };
  await db.update(operations).set({ succeeded: tally.succeeded, failed: tally.problems }).where(eq(operations.id, operationId));
  return tally;
}

export type BatchReport = {
  operationId: string;
  kind: BatchKind;
  moved: number;
  skipped: number;
  failed: number;
  unplaced: number;
  /** Items not finished yet: pending, or running (a move in flight, or one a dead holder left). */
  remaining: number;
  status: Operation["status"];
};

/**
 * An operation's claim lasts this long and is renewed every third of it while its holder works, so
 * a holder that dies (a crash, a lost database) hands the operation to the next ping or replica
 * within this time.
 */
export const OPERATION_LEASE_MS = 15_000;

async function claimOperation(deps: MigrationDeps, operationId: string, owner: string): Promise<Operation | null> {
  const [claimed] = await deps.db
    .update(operations)
    .set({ leaseOwner: owner, leaseUntil: sql`now() + make_interval(secs => ${OPERATION_LEASE_MS / 1000})` })
    .where(and(eq(operations.id, operationId), inArray(operations.status, OPEN), or(isNull(operations.leaseUntil), lt(operations.leaseUntil, sql`now()`))))
    .returning();
  return claimed ?? null;
}

/** Renews the claim while `work` runs; `isLost()` turns true when the claim could not be renewed. */
async function whileHeld<T>(deps: MigrationDeps, operationId: string, owner: string, work: (isLost: () => boolean) => Promise<T>): Promise<T> {
  let isLost = false;
  const renew = async () => {
    const renewed = await deps.db
      .update(operations)
      .set({ leaseUntil: sql`now() + make_interval(secs => ${OPERATION_LEASE_MS / 1000})` })
      .where(and(eq(operations.id, operationId), eq(operations.leaseOwner, owner), inArray(operations.status, OPEN)))
      .returning({ id: operations.id })
      .catch(() => []);
    if (renewed.length === 0) isLost = true;
  };
  const timer = setInterval(() => void renew(), OPERATION_LEASE_MS / 3);
  try {
    return await work(() => isLost);
  } finally {
    clearInterval(timer);
  }
}

async function releaseOperation(deps: MigrationDeps, operationId: string, owner: string): Promise<void> {
  await deps.db
    .update(operations)
    .set({ leaseOwner: null, leaseUntil: null })
    .where(and(eq(operations.id, operationId), eq(operations.leaseOwner, owner)));
}

/** Why an open operation should stop now, if it should: the node recovered, or was undrained. */
async function stopReason(deps: MigrationDeps, operation: Operation): Promise<MessageRef | null> {
  if (operation.kind !== "failover" && operation.kind !== "drain") return null;
  if (!operation.nodeId) return ref("operation.stopped.nodeDeleted");
  const [node] = await deps.db.select({ healthState: nodes.healthState, adminState: nodes.adminState }).from(nodes).where(eq(nodes.id, operation.nodeId));
  if (!node) return ref("operation.stopped.nodeDeleted");
  if (operation.kind === "failover" && node.healthState !== "unhealthy" && node.adminState !== "draining") return ref("operation.stopped.recovered");
  if (operation.kind === "drain" && node.adminState !== "draining") return ref("operation.stopped.notDraining");
  return null;
}

async function finish(deps: MigrationDeps, operation: Operation, tally: { succeeded: number; problems: number }): Promise<Operation["status"]> {
  const status: Operation["status"] = tally.problems === 0 ? "succeeded" : tally.succeeded > 0 ? "partial" : "failed";
  let error: MessageRef | null = tally.problems > 0 ? ref("operation.error.notMoved", { count: tally.problems }) : null;
  const plan = operation.plan as DrainPlan | null;
  if (operation.kind === "drain" && plan?.deleteWhenEmpty && status === "succeeded" && operation.nodeId) {
    const actor: AuditActor = { adminId: operation.actorAdminId, username: operation.startedBy, ip: null, userAgent: null };
    try {
      await deleteNode(deps, actor, { id: operation.nodeId });
    } catch (e) {
      if (!isAppError(e)) throw e;
      error = ref("operation.error.drainedNotDeleted", { reason: e.text });
    }
  }
  await deps.db
    .update(operations)
    .set({ status, error: error?.code ?? null, errorRef: error, finishedAt: sql`now()`, leaseOwner: null, leaseUntil: null })
    .where(and(eq(operations.id, operation.id), inArray(operations.status, OPEN)));
  return status;
}

async function reportUnplaced(deps: MigrationDeps, operation: Operation, unplaced: number): Promise<void> {
  const [node] = operation.nodeId ? await deps.db.select({ name: nodes.name }).from(nodes).where(eq(nodes.id, operation.nodeId)) : [];
  const message =
    `${unplaced} user${unplaced === 1 ? "" : "s"} on ${node?.name ?? "a removed node"} could not be moved (${operation.kind}): ` +
    `no other node has room. They keep their key where it is; add capacity and the next wave moves them.`;
  const messageRef = node
    ? ref("event.capacity.low", { count: unplaced, node: node.name, kind: { code: `operationKind.${operation.kind}` } })
    : ref("event.capacity.lowRemovedNode", { count: unplaced, kind: { code: `operationKind.${operation.kind}` } });
  await deps.db.transaction((tx) =>
    recordNotifiedEvent(tx, deps.notifications, {
      kind: "capacity.low",
      severity: "critical",
      nodeId: operation.nodeId,
      message,
      messageRef,
      data: { operationId: operation.id, operationKind: operation.kind, unplaced },
    }),
  );
}

export type WorkOptions = {
  /** Moves at once (FleetOperationDeps.concurrency). */
  concurrency: number;
  /** performance.now() after which no move starts. */
  deadline: number;
  /** FAILOVER_MAX_MOVES_PER_MINUTE: the shared bucket every move start draws from (move-rate.ts). */
  maxMovesPerMinute: number;
};

/** Pending items read at once; the pool refills from the database when it runs dry. */
const ITEM_PAGE = 200;
/** How often a holder looks again at moves a dead holder left in flight, until their deadline settles them. */
const ORPHAN_POLL_MS = 1_000;
/** Shortest wait for the rate bucket, so an empty bucket is not polled in a busy loop. */
const MIN_RATE_WAIT_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Works on one operation while there is time: `concurrency` moves at once, each started only with a
 * token from the deployment-wide rate bucket (waiting for one when it is empty), until no item is
 * pending or the deadline comes. Moves a dead holder left running are settled on the way and, when
 * they did not happen, retried (migrate-item.ts). Null when another worker holds the operation.
 */
export async function workOperation(deps: MigrationDeps, operationId: string, options: WorkOptions): Promise<BatchReport | null> {
  const owner = newLeaseOwner();
  const operation = await claimOperation(deps, operationId, owner);
  if (!operation) return null;
  const kind = operation.kind as BatchKind;
  const report: BatchReport = { operationId, kind, moved: 0, skipped: 0, failed: 0, unplaced: 0, remaining: 0, status: operation.status };
  try {
    const stop = await stopReason(deps, operation);
    if (stop) {
      await deps.db.transaction((tx) => cancelOperation(tx, operation.id, stop));
      report.status = "cancelled";
      return report;
    }
    await whileHeld(deps, operationId, owner, async (isLost) => {
      const queue: OperationItem[] = [];
      let isExhausted = false;
      let tokens = 0;
      let refill: Promise<void> | null = null;
      const hasTime = () => performance.now() < options.deadline && !isLost();
      const count = (outcome: MoveOutcome) => {
        deps.metrics?.userMoved(REASON_OF[kind], outcome);
        if (outcome.status === "succeeded") report.moved++;
        else if (outcome.status === "failed") report.failed++;
        else {
          report.skipped++;
          if (outcome.isUnplaced) report.unplaced++;
        }
      };
      /** Items this holder has queued or is moving: a page read while they are still pending must not queue them twice. */
      const taken = new Set<number>();
      /**
       * The next pending item, reading another page when the queue is empty. Moves a dead holder left
       * running are settled first; while some are still within their deadline, it waits for them
       * (they come back pending when they did not happen), so the operation finishes in this ping.
       */
      let reading: Promise<void> | null = null;
      const nextItem = async (): Promise<OperationItem | undefined> => {
        while (queue.length === 0 && !isExhausted && hasTime()) {
          reading ??= (async () => {
            await recoverInterruptedMoves(deps, operationId);
            const pending = await deps.db
              .select()
              .from(operationItems)
              .where(and(eq(operationItems.operationId, operationId), eq(operationItems.status, "pending")))
              .orderBy(asc(operationItems.id))
              .limit(ITEM_PAGE);
            const fresh = pending.filter((i) => !taken.has(i.id));
            for (const item of fresh) taken.add(item.id);
            queue.push(...fresh);
            const running =
              fresh.length > 0
                ? []
                : await deps.db
                    .select({ id: operationItems.id })
                    .from(operationItems)
                    .where(and(eq(operationItems.operationId, operationId), eq(operationItems.status, "running")))
                    .limit(taken.size + 1);
            const isOthersRunning = running.some((i) => !taken.has(i.id));
            if (fresh.length === 0 && isOthersRunning) await sleep(Math.min(ORPHAN_POLL_MS, Math.max(0, options.deadline - performance.now())));
            isExhausted = fresh.length === 0 && !isOthersRunning;
          })().finally(() => {
            reading = null;
          });
          await reading;
        }
        return queue.shift();
      };
      /** One move start from the bucket, waiting for it while there is time. */
      const takeToken = async (): Promise<boolean> => {
        while (tokens === 0) {
          if (!hasTime()) return false;
          refill ??= (async () => {
            const { granted, waitMs } = await takeMoveTokens(deps.db, options.concurrency, options.maxMovesPerMinute);
            tokens += granted;
            if (granted === 0) await sleep(Math.min(Math.max(MIN_RATE_WAIT_MS, waitMs), Math.max(0, options.deadline - performance.now())));
          })().finally(() => {
            refill = null;
          });
          await refill;
        }
        tokens--;
        return true;
      };
      const worker = async () => {
        while (hasTime()) {
          const item = await nextItem();
          if (!item) return;
          if (!(await takeToken())) {
            queue.unshift(item);
            return;
          }
          try {
            count(await migrateItem(deps, item, REASON_OF[kind]));
          } catch (error) {
            // A database error mid-move: the item stays as it is (pending, or running until recovered).
            logger.error("move failed unexpectedly", { operationId, itemId: item.id, error });
            report.failed++;
          } finally {
            taken.delete(item.id);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
      await returnMoveTokens(deps.db, tokens, options.maxMovesPerMinute);
    });
    if (report.unplaced > 0) await reportUnplaced(deps, operation, report.unplaced);
    const tally = await refreshCounters(deps.db, operationId);
    report.remaining = tally.pending + tally.running;
    report.status = tally.pending === 0 && tally.running === 0 ? await finish(deps, operation, tally) : "running";
    return report;
  } finally {
    await releaseOperation(deps, operationId, owner);
  }
}

/** Open operations that batches work on, oldest first. */
export async function listOpenBatchOperations(deps: Pick<MigrationDeps, "db">): Promise<{ id: string }[]> {
  return deps.db
    .select({ id: operations.id })
    .from(operations)
    .where(and(inArray(operations.kind, BATCH_KINDS), inArray(operations.status, OPEN)))
    .orderBy(asc(operations.createdAt));
}
