/**
 * Invariant 7 — one writer per panel across the deployment. Every client mutation on a node runs
 * inside `withNodeMutation`: first the in-process queue (no two calls from this replica overlap),
 * then a lease row in Postgres (no two replicas overlap). The lease is a conditional UPDATE that
 * expires by itself, so a replica that dies mid-call blocks the node for one TTL at most; it
 * works behind transaction poolers, where session advisory locks do not.
 */
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { nodes } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { newLeaseOwner } from "@/server/services/lease-owner";
import { runExclusive } from "@/server/x3ui/panel-queue";
import type { NodeLeaseOptions } from "./key-deps";

const DEFAULT_TTL_MS = 30_000;
const DEFAULT_WAIT_MS = 10_000;
const RETRY_EVERY_MS = 25;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Another replica held the node's lease for longer than we were willing to wait. */
export class NodeBusyError extends Error {
  override readonly name = "NodeBusyError";
}

async function tryAcquire(db: Database, nodeId: string, owner: string, ttlMs: number): Promise<boolean> {
  const rows = await db
    .update(nodes)
    .set({ mutationLeaseOwner: owner, mutationLeaseUntil: sql`now() + make_interval(secs => ${ttlMs / 1000})` })
    .where(and(eq(nodes.id, nodeId), or(isNull(nodes.mutationLeaseUntil), lt(nodes.mutationLeaseUntil, sql`now()`))))
    .returning({ id: nodes.id });
  return rows.length > 0;
}

async function release(db: Database, nodeId: string, owner: string): Promise<void> {
  await db
    .update(nodes)
    .set({ mutationLeaseOwner: null, mutationLeaseUntil: null })
    .where(and(eq(nodes.id, nodeId), eq(nodes.mutationLeaseOwner, owner)));
}

export async function withNodeMutation<T>(db: Database, nodeId: string, fn: () => Promise<T>, options: NodeLeaseOptions = {}): Promise<T> {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const pause = options.pause ?? sleep;
  return runExclusive(nodeId, async () => {
    const owner = newLeaseOwner();
    const deadline = Date.now() + waitMs;
    while (!(await tryAcquire(db, nodeId, owner, ttlMs))) {
      if (Date.now() >= deadline) throw new NodeBusyError(`node ${nodeId} is being changed by another replica`);
      await pause(RETRY_EVERY_MS);
    }
    try {
      return await fn();
    } finally {
      // A failed release only delays the next writer until the lease expires.
      await release(db, nodeId, owner).catch((error: unknown) => logger.warn("node lease release failed", { nodeId, error }));
    }
  });
}
