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
import { assignments, nodes, operationItems, operations, type Operation } from "@/server/db/schema";
import { isAppError } from "@/server/errors";
import { logger } from "@/server/logger";
import type { AuditActor } from "@/server/services/actor";
import type { Transaction } from "@/server/services/audit/record-audit";
import { newLeaseOwner } from "@/server/services/lease-owner";
import { deleteNode } from "@/server/services/nodes/delete-node";
import { recordNotifiedEvent } from "@/server/services/notifications/enqueue-notification";
import { itemDetail, migrateItem, type MoveOutcome } from "./migrate-item";
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
  /** Items still pending after this batch. */
  remaining: number;
  status: Operation["status"];
};

async function claimOperation(deps: MigrationDeps, operationId: string, owner: string, leaseMs: number): Promise<Operation | null> {
  const [claimed] = await deps.db
    .update(operations)
    .set({ leaseOwner: owner, leaseUntil: sql`now() + make_interval(secs => ${leaseMs / 1000})` })
    .where(and(eq(operations.id, operationId), inArray(operations.status, OPEN), or(isNull(operations.leaseUntil), lt(operations.leaseUntil, sql`now()`))))
    .returning();
  return claimed ?? null;
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

/**
 * One batch of an operation: up to `batchSize` pending items, `concurrency` at a time, none
 * started after `deadline`. Null when another worker holds the operation.
 */
export async function processBatch(
  deps: MigrationDeps,
  operationId: string,
  options: { batchSize: number; concurrency: number; deadline: number; leaseMs: number },
): Promise<BatchReport | null> {
  const owner = newLeaseOwner();
  const operation = await claimOperation(deps, operationId, owner, options.leaseMs);
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
    const items = await deps.db
      .select()
      .from(operationItems)
      .where(and(eq(operationItems.operationId, operationId), eq(operationItems.status, "pending")))
      .orderBy(asc(operationItems.id))
      .limit(options.batchSize);
    const queue = [...items];
    const count = (outcome: MoveOutcome) => {
      deps.metrics?.userMoved(REASON_OF[kind], outcome);
      if (outcome.status === "succeeded") report.moved++;
      else if (outcome.status === "failed") report.failed++;
      else {
        report.skipped++;
        if (outcome.isUnplaced) report.unplaced++;
      }
    };
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        if (performance.now() >= options.deadline) return;
        try {
          count(await migrateItem(deps, item, REASON_OF[kind]));
        } catch (error) {
          // A database error mid-move: the item stays as it is (pending, or running until recovered).
          logger.error("move failed unexpectedly", { operationId, itemId: item.id, error });
          report.failed++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, items.length)) }, worker));
    if (report.unplaced > 0) await reportUnplaced(deps, operation, report.unplaced);
    const tally = await refreshCounters(deps.db, operationId);
    report.remaining = tally.pending;
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
