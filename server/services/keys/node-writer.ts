/**
 * Invariant 7 — one writer per panel across the deployment, that a crash cannot block and a slow
 * call cannot lose. Every client mutation on a node runs inside `withNodeWriter`: first the
 * in-process queue (no two calls from this replica overlap, and waiters do not poll), then a lease
 * row in Postgres (no two replicas overlap; it works behind transaction poolers, where session
 * advisory locks do not).
 *
 * - Short lease, kept alive: the lease lasts `ttlMs` (3 s) and a heartbeat renews it every third of
 *   that while the holder works, so a live holder keeps it through slow panel calls and a dead one
 *   frees the node within `ttlMs`.
 * - Fencing: each acquisition bumps `mutation_fence`; the writer carries its fence, and database
 *   writes that depend on what the writer saw on the panel include `writerHolds(writer)`, so a
 *   writer whose lease was taken over commits nothing. A writer also stops starting panel calls
 *   once its lease may have lapsed (`assertHeld`): a renewal it could not confirm counts as lost.
 */
import { and, eq, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { nodes } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { newLeaseOwner } from "@/server/services/lease-owner";
import { runExclusive, type PanelQueue } from "@/server/x3ui/panel-queue";

export type NodeWriterOptions = {
  /** Lease lifetime without a renewal: how long a crashed holder can block its node. */
  ttlMs?: number;
  /** How long to wait for another replica's lease before giving up on the node. */
  waitMs?: number;
  /** Waits between attempts to take the lease (tests step through it). */
  pause?: (ms: number) => Promise<void>;
  /** The in-process queue; the process-wide one unless a test runs several replicas in one process. */
  queue?: PanelQueue;
};

export const DEFAULT_WRITER_TTL_MS = 3_000;
export const DEFAULT_WRITER_WAIT_MS = 10_000;
const RETRY_EVERY_MS = 25;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Another replica held the node's lease for longer than we were willing to wait. */
export class NodeBusyError extends Error {
  override readonly name = "NodeBusyError";
}

/** This writer's lease lapsed or was taken over: it must not touch the panel or commit anything more. */
export class WriterLostError extends Error {
  override readonly name = "WriterLostError";
}

export type NodeWriter = {
  readonly nodeId: string;
  /** The lease generation this writer holds. */
  readonly fence: number;
  /** Throws WriterLostError unless the lease is certainly still ours. */
  assertHeld(): void;
  /** The caller's last statement released the lease too (`releaseWith`): nothing more to release. */
  markReleased(): void;
};

/** A CTE for the caller's last statement that releases the writer's lease in the same round trip. */
export function releaseLeaseSql(writer: NodeWriter): SQL {
  return sql`UPDATE ${nodes} SET mutation_lease_owner = NULL, mutation_lease_until = NULL WHERE ${nodes.id} = ${writer.nodeId} AND ${nodes.mutationFence} = ${writer.fence} RETURNING ${nodes.id}`;
}

/** True, inside a statement, only while `writer` still holds its node: the fencing condition for commits. */
export function writerHolds(writer: NodeWriter): SQL {
  return sql`EXISTS (SELECT 1 FROM ${nodes} WHERE ${nodes.id} = ${writer.nodeId} AND ${nodes.mutationFence} = ${writer.fence})`;
}

const isLeaseFree = or(isNull(nodes.mutationLeaseUntil), lt(nodes.mutationLeaseUntil, sql`now()`)) as SQL;

/**
 * Takes the lease, for `owner`, in an UPDATE of the node row that does more (placement's one-statement
 * new user reserves its place with it): the lease columns change only if the lease is free. The row
 * it returns says whether it did (`mutationLeaseOwner` is `owner`) and under which fence.
 */
export function takeLeaseIfFree(owner: string, ttlMs: number) {
  const ifFree = (value: SQL, otherwise: SQL) => sql`CASE WHEN ${isLeaseFree} THEN ${value} ELSE ${otherwise} END`;
  return {
    mutationLeaseOwner: ifFree(sql`${owner}`, sql`${nodes.mutationLeaseOwner}`),
    mutationLeaseUntil: ifFree(sql`now() + make_interval(secs => ${ttlMs / 1000})`, sql`${nodes.mutationLeaseUntil}`),
    mutationFence: ifFree(sql`${nodes.mutationFence} + 1`, sql`${nodes.mutationFence}`),
  };
}

async function tryAcquire(db: Database, nodeId: string, owner: string, ttlMs: number): Promise<number | null> {
  const [row] = await db
    .update(nodes)
    .set({
      mutationLeaseOwner: owner,
      mutationLeaseUntil: sql`now() + make_interval(secs => ${ttlMs / 1000})`,
      mutationFence: sql`${nodes.mutationFence} + 1`,
    })
    .where(and(eq(nodes.id, nodeId), isLeaseFree))
    .returning({ fence: nodes.mutationFence });
  return row ? row.fence : null;
}

async function renew(db: Database, nodeId: string, fence: number, ttlMs: number): Promise<boolean> {
  const rows = await db
    .update(nodes)
    .set({ mutationLeaseUntil: sql`now() + make_interval(secs => ${ttlMs / 1000})` })
    // Never after a release: a renewal racing the releasing statement must not take the lease back.
    .where(and(eq(nodes.id, nodeId), eq(nodes.mutationFence, fence), isNotNull(nodes.mutationLeaseOwner)))
    .returning({ id: nodes.id });
  return rows.length > 0;
}

async function release(db: Database, nodeId: string, fence: number): Promise<void> {
  await db
    .update(nodes)
    .set({ mutationLeaseOwner: null, mutationLeaseUntil: null })
    .where(and(eq(nodes.id, nodeId), eq(nodes.mutationFence, fence)));
}

/**
 * `firstTake`: the first try at the lease, made by the caller's own statement (`takeLeaseIfFree`),
 * under the in-process queue like every try; it answers the fence taken, or null when the lease was
 * busy, and then the usual tries follow.
 */
export async function withNodeWriter<T>(
  deps: { db: Database; writer?: NodeWriterOptions },
  nodeId: string,
  fn: (writer: NodeWriter) => Promise<T>,
  firstTake?: (owner: string, ttlMs: number) => Promise<number | null>,
): Promise<T> {
  const { db } = deps;
  const ttlMs = deps.writer?.ttlMs ?? DEFAULT_WRITER_TTL_MS;
  const waitMs = deps.writer?.waitMs ?? DEFAULT_WRITER_WAIT_MS;
  const pause = deps.writer?.pause ?? sleep;
  const queue = deps.writer?.queue ?? { runExclusive };
  return queue.runExclusive(nodeId, async () => {
    const owner = newLeaseOwner();
    const deadline = Date.now() + waitMs;
    let held: number;
    // When the statement that took (or last renewed) the lease was sent: the lease runs from no earlier.
    let renewedAt: number;
    for (let take = firstTake; ; take = undefined) {
      renewedAt = Date.now();
      const fence = await (take ? take(owner, ttlMs) : tryAcquire(db, nodeId, owner, ttlMs));
      if (fence !== null) {
        held = fence;
        break;
      }
      if (Date.now() >= deadline) throw new NodeBusyError(`node ${nodeId} is being changed by another replica`);
      await pause(RETRY_EVERY_MS);
    }
    let isLost = false;
    let isReleased = false;
    // Our own clock decides when we stop trusting the lease: a renewal we could not confirm does not count.
    const heartbeat = setInterval(() => {
      const sentAt = Date.now();
      renew(db, nodeId, held, ttlMs).then(
        (isOurs) => {
          if (isOurs) renewedAt = sentAt;
          else isLost = true;
        },
        (error: unknown) => logger.warn("node lease renewal failed", { nodeId, error }),
      );
    }, Math.max(10, Math.floor(ttlMs / 3)));
    heartbeat.unref();
    const writer: NodeWriter = {
      nodeId,
      fence: held,
      assertHeld() {
        if (isLost || Date.now() - renewedAt >= ttlMs) throw new WriterLostError(`lost the lease on node ${nodeId}`);
      },
      markReleased() {
        isReleased = true;
        clearInterval(heartbeat);
      },
    };
    try {
      return await fn(writer);
    } finally {
      clearInterval(heartbeat);
      // A failed release only delays the next writer until the lease expires.
      if (!isReleased) await release(db, nodeId, held).catch((error: unknown) => logger.warn("node lease release failed", { nodeId, error }));
    }
  });
}
