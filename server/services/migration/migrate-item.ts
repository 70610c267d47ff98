/**
 * Moves one user, described by one `operation_items` row, from the node it is on to another:
 *
 * 1. `claimMove` — one short transaction under the user's lock (the same per-user advisory lock
 *    the key services take): the user must still hold an `active` key on the source and no other
 *    operation may be moving them; capacity is reserved on the target by the keys' conditional
 *    UPDATE and the item becomes `running` with its `to_node_id`. A running item is how the
 *    reconciler's recount knows the reservation is an in-flight migration target.
 * 2. `createClientOnNode` on the target (the keys primitive: node lease, read-back on timeout).
 *    The old key keeps working meanwhile. A failing target hands the reservation to the next one.
 * 3. `switchAssignment` — ONE transaction: item → succeeded, old assignment → `revoking` with its
 *    place released on the source, new `active` assignment on the target (it inherits the
 *    reservation), and the key.moved webhook queued. The user's subscription token lives on
 *    vpn_users, so /sub/{token} serves the new key from this commit on.
 * 4. The old client is deleted from the source now, or — when the source is unhealthy or the call
 *    fails — left `revoking` for the reconciler.
 *
 * A crash between 2 and 3 leaves a running item, a reservation and a client with our prefix on
 * the target: `recoverInterruptedMoves` fails the item and releases the reservation after a
 * lease, and the reconciler deletes the client as an orphan (invariant 3).
 */
import { and, eq, inArray, lt, ne, sql } from "drizzle-orm";
import { assignments, nodes, operationItems, vpnUsers, type Assignment, type Node, type PlacementReason } from "@/server/db/schema";
import { logger } from "@/server/logger";
import type { Transaction } from "@/server/services/audit/record-audit";
import { rankFleet } from "@/server/services/balancer/rank-fleet";
import type { ScoredNode } from "@/server/services/balancer/score-nodes";
import { releaseReservation, reserveForNewUser } from "@/server/services/keys/capacity";
import { newAssignmentIdentity } from "@/server/services/keys/client-identity";
import { describeFailure } from "@/server/services/keys/describe-failure";
import { subscriptionUrlFor } from "@/server/services/keys/find-user-key";
import { CLIENT_EMAIL_PREFIX } from "@/server/services/keys/key-deps";
import { clientPlanFor, loadClientPlans, hasPlan, PLAN_COLUMNS, type ClientPlan, type PlanSource } from "@/server/services/keys/client-plan";
import { applyPlanOnNode, createClientOnNode, deleteClientFromNode } from "@/server/services/keys/node-client";
import { lockUser, retireAssignment } from "@/server/services/keys/place-key";
import { enqueueNotification } from "@/server/services/notifications/enqueue-notification";
import type { MigrationDeps, MoveReason } from "./migration-deps";

/** A running item older than this lost its process; its reservation is released. */
export const MOVE_LEASE_MS = 120_000;

export type MoveItem = { id: number; userId: string | null; fromNodeId: string | null; toNodeId: string | null };

export type MoveOutcome =
  | { status: "succeeded"; toNodeId: string; sourceCleaned: boolean }
  | { status: "skipped"; detail: string; isUnplaced: boolean }
  | { status: "failed"; detail: string };

type Claimed = {
  user: { id: string; telegramId: number; username: string | null; subscriptionToken: string } & PlanSource;
  old: Assignment;
  source: Node;
  target: Node;
  position: number;
};

async function setItem(tx: Transaction | MigrationDeps["db"], itemId: number, status: "skipped" | "failed", detail: string): Promise<void> {
  await tx.update(operationItems).set({ status, detail, updatedAt: sql`now()` }).where(eq(operationItems.id, itemId));
}

async function claimMove(deps: MigrationDeps, item: MoveItem, candidates: ScoredNode[]): Promise<Claimed | Exclude<MoveOutcome, { status: "succeeded" }>> {
  const skip = (detail: string, isUnplaced = false) => ({ status: "skipped" as const, detail, isUnplaced });
  if (!item.userId || !item.fromNodeId) return skip("the user or node no longer exists");
  const [user] = await deps.db
    .select({ id: vpnUsers.id, telegramId: vpnUsers.telegramId, username: vpnUsers.username, subscriptionToken: vpnUsers.subscriptionToken, ...PLAN_COLUMNS })
    .from(vpnUsers)
    .where(eq(vpnUsers.id, item.userId));
  if (!user) return skip("the user no longer exists");
  return deps.db.transaction(async (tx) => {
    await lockUser(tx, user.telegramId);
    const [live] = await tx
      .select({ assignment: assignments, source: nodes })
      .from(assignments)
      .innerJoin(nodes, eq(nodes.id, assignments.nodeId))
      .where(and(eq(assignments.userId, user.id), sql`${assignments.state} IN ('pending', 'active')`));
    if (!live || live.assignment.nodeId !== item.fromNodeId) return skip("the user no longer has a key on this node");
    if (live.assignment.state !== "active") return skip("a key request for this user was in flight");
    const [other] = await tx
      .select({ id: operationItems.id })
      .from(operationItems)
      .where(and(eq(operationItems.userId, user.id), eq(operationItems.status, "running"), ne(operationItems.id, item.id)))
      .limit(1);
    if (other) return skip("another operation is moving this user");

    for (const [position, candidate] of candidates.entries()) {
      if (candidate.nodeId === item.fromNodeId) continue;
      const target = await reserveForNewUser(tx, candidate.nodeId);
      if (!target) continue;
      const marked = await tx
        .update(operationItems)
        .set({ status: "running", toNodeId: target.id, detail: null, updatedAt: sql`now()` })
        .where(and(eq(operationItems.id, item.id), eq(operationItems.status, "pending")))
        .returning({ id: operationItems.id });
      // Claimed by someone else: throwing rolls the reservation back with it.
      if (marked.length === 0) throw new ItemTakenError();
      return { user, old: live.assignment, source: live.source, target, position };
    }
    return skip(item.toNodeId ? "the planned target has no room any more" : "no node has room for this user", true);
  });
}

class ItemTakenError extends Error {
  override readonly name = "ItemTakenError";
}

/** The running item moves its reservation to the next candidate; null when none has room. */
async function retarget(deps: MigrationDeps, item: MoveItem, claimed: Claimed, candidates: ScoredNode[], failure: string): Promise<Claimed | null> {
  return deps.db.transaction(async (tx) => {
    for (let position = claimed.position + 1; position < candidates.length; position++) {
      const candidate = candidates[position];
      if (!candidate || candidate.nodeId === item.fromNodeId) continue;
      const target = await reserveForNewUser(tx, candidate.nodeId);
      if (!target) continue;
      const moved = await tx
        .update(operationItems)
        .set({ toNodeId: target.id, detail: `${claimed.target.name}: ${failure}`, updatedAt: sql`now()` })
        .where(and(eq(operationItems.id, item.id), eq(operationItems.status, "running")))
        .returning({ id: operationItems.id });
      if (moved.length === 0) throw new ItemTakenError();
      await releaseReservation(tx, claimed.target.id);
      return { ...claimed, target, position };
    }
    const failed = await tx
      .update(operationItems)
      .set({ status: "failed", detail: `${claimed.target.name}: ${failure}; no other node could take the user`, updatedAt: sql`now()` })
      .where(and(eq(operationItems.id, item.id), eq(operationItems.status, "running")))
      .returning({ id: operationItems.id });
    if (failed.length > 0) await releaseReservation(tx, claimed.target.id);
    return null;
  });
}

function nodeRef(node: Pick<Node, "id" | "name" | "location">) {
  return { id: node.id, name: node.name, location: node.location };
}

type Switched = { kind: "switched" } | { kind: "superseded" } | { kind: "lost" };

async function switchAssignment(
  deps: MigrationDeps,
  item: MoveItem,
  claimed: Claimed,
  created: { assignmentId: string; clientId: string; clientEmail: string; shareLink: string },
  reason: MoveReason,
  candidates: ScoredNode[],
): Promise<Switched> {
  const { user, old, source, target } = claimed;
  return deps.db.transaction(async (tx) => {
    await lockUser(tx, user.telegramId);
    // The reconciler's recount locks a node row before counting, so locking the target's row
    // first makes it see this switch wholly before or wholly after. The source row is locked by
    // its decrement; when the source could also be a target (a healthy, active node: rebalance or
    // a manual move) both rows are locked here in id order, so two opposite moves cannot deadlock.
    // A dead or draining source is never a target, and every move off it decrements its row:
    // locking it only at the end keeps that hot row's lock short.
    const isPossibleTarget = source.adminState === "active" && (source.healthState === "healthy" || source.healthState === "degraded");
    await tx
      .select({ id: nodes.id })
      .from(nodes)
      .where(inArray(nodes.id, isPossibleTarget ? [source.id, target.id] : [target.id]))
      .orderBy(nodes.id)
      .for("update");
    const done = await tx
      .update(operationItems)
      .set({ status: "succeeded", detail: `moved to ${target.name}`, updatedAt: sql`now()` })
      .where(and(eq(operationItems.id, item.id), eq(operationItems.status, "running"), eq(operationItems.toNodeId, target.id)))
      .returning({ id: operationItems.id });
    // The item was declared interrupted (and its reservation released) while we were slow.
    if (done.length === 0) return { kind: "lost" };
    const retired = await tx
      .update(assignments)
      .set({ state: "revoking", updatedAt: sql`now()` })
      .where(and(eq(assignments.id, old.id), eq(assignments.state, "active")))
      .returning({ id: assignments.id });
    if (retired.length === 0) {
      // Refreshed or revoked meanwhile: the user's own request won; give the place back.
      await setItem(tx, item.id, "skipped", "the user's key changed during the move");
      await releaseReservation(tx, target.id);
      return { kind: "superseded" };
    }
    const placementReason: PlacementReason = {
      strategy: reason === "rebalance" ? "rebalance" : "migration",
      location: old.placementReason?.location ?? null,
      candidates: candidates.map((c) => ({ nodeId: c.nodeId, name: c.name, score: c.score, load: c.load, healthState: c.healthState })),
      chosenNodeId: target.id,
      note: `moved from ${source.name} (${reason})`,
    };
    await tx.insert(assignments).values({
      id: created.assignmentId,
      userId: user.id,
      nodeId: target.id,
      inboundId: target.inboundId,
      clientId: created.clientId,
      clientEmail: created.clientEmail,
      shareLink: created.shareLink,
      state: "active",
      placementReason,
      activatedAt: sql`now()`,
    });
    await enqueueNotification(tx, deps.notifications, {
      event: "key.moved",
      data: {
        telegramId: user.telegramId,
        username: user.username,
        key: created.shareLink,
        subscriptionUrl: subscriptionUrlFor(deps.publicUrl, user.subscriptionToken),
        reason,
        from: nodeRef(source),
        to: nodeRef(target),
      },
    });
    await releaseReservation(tx, source.id);
    return { kind: "switched" };
  });
}

/** Best-effort removal of a client we created for a move that did not happen; else the reconciler's. */
async function discardCreated(deps: MigrationDeps, target: Node, client: { inboundId: number; clientEmail: string }): Promise<void> {
  try {
    await deleteClientFromNode(deps, target, client);
  } catch (error) {
    logger.warn("could not delete the client of an abandoned move; the reconciler will", { nodeId: target.id, error });
  }
}

/**
 * The plan may have changed while the move ran (the user extended, suspended, or the old client's
 * last bytes counted on retirement): the new client gets the plan as it stands now. A failure here
 * is the reconciler's to repair.
 */
async function catchUpPlan(deps: MigrationDeps, target: Node, client: { id: string; inboundId: number; clientEmail: string; plan: ClientPlan }): Promise<void> {
  const current = (await loadClientPlans(deps.db, [client.id], deps.clock.now())).get(client.id);
  if (!current || hasPlan(current, client.plan)) return;
  await applyPlanOnNode(deps, target, client, current).catch((error: unknown) =>
    logger.warn("could not bring a moved client's plan up to date; the reconciler will", { nodeId: target.id, error }),
  );
}

/**
 * Candidates for a move: the planned target only (rebalance), else the balancer's ranking with
 * the user's original location preference as a soft preference.
 */
async function candidatesFor(deps: MigrationDeps, item: MoveItem): Promise<ScoredNode[]> {
  const [old] = item.userId
    ? await deps.db
        .select({ reason: assignments.placementReason })
        .from(assignments)
        .where(and(eq(assignments.userId, item.userId), eq(assignments.state, "active")))
    : [];
  const { candidates } = await rankFleet(deps.db, { location: old?.reason?.location ?? null });
  if (!item.toNodeId) return candidates.filter((c) => c.nodeId !== item.fromNodeId);
  return candidates.filter((c) => c.nodeId === item.toNodeId);
}

export async function migrateItem(deps: MigrationDeps, item: MoveItem, reason: MoveReason): Promise<MoveOutcome> {
  const candidates = await candidatesFor(deps, item);
  let claimed: Claimed;
  try {
    const result = await claimMove(deps, item, candidates);
    if ("status" in result) {
      await setItem(deps.db, item.id, result.status, result.detail);
      return result;
    }
    claimed = result;
  } catch (error) {
    if (error instanceof ItemTakenError) return { status: "skipped", detail: "claimed by another worker", isUnplaced: false };
    throw error;
  }

  const identity = newAssignmentIdentity(deps.emailPrefix ?? CLIENT_EMAIL_PREFIX, claimed.user.telegramId);
  // The target gets what is left of the quota (its counter starts at zero) and the same expiry.
  const plan = clientPlanFor(claimed.user, 0, deps.clock.now());
  for (;;) {
    const spec = { inboundId: claimed.target.inboundId, clientId: identity.clientId, clientEmail: identity.clientEmail, plan };
    let shareLink: string;
    try {
      shareLink = (await createClientOnNode(deps, claimed.target, spec)).shareLink;
    } catch (error) {
      const failure = describeFailure(error);
      logger.warn("move failed on a target node", { itemId: item.id, nodeId: claimed.target.id, error });
      const next = await retarget(deps, item, claimed, candidates, failure).catch((e: unknown) => {
        if (e instanceof ItemTakenError) return null;
        throw e;
      });
      if (!next) return { status: "failed", detail: `${claimed.target.name}: ${failure}` };
      claimed = next;
      continue;
    }
    const switched = await switchAssignment(deps, item, claimed, { assignmentId: identity.assignmentId, ...spec, shareLink }, reason, candidates);
    if (switched.kind !== "switched") {
      await discardCreated(deps, claimed.target, spec);
      return switched.kind === "lost"
        ? { status: "failed", detail: "the move outlived its lease and was abandoned" }
        : { status: "skipped", detail: "the user's key changed during the move", isUnplaced: false };
    }
    const sourceCleaned = await retireAssignment(deps, claimed.old);
    await catchUpPlan(deps, claimed.target, { id: identity.assignmentId, ...spec });
    return { status: "succeeded", toNodeId: claimed.target.id, sourceCleaned };
  }
}

/**
 * Running items whose process died (older than the lease) become `failed` and give their target
 * reservation back, in one transaction per item; the client they may have created is an orphan
 * the reconciler deletes. Idempotent and safe on any number of replicas.
 */
export async function recoverInterruptedMoves(deps: Pick<MigrationDeps, "db" | "clock">, leaseMs = MOVE_LEASE_MS): Promise<number> {
  const staleBefore = new Date(deps.clock.now().getTime() - leaseMs);
  const stale = await deps.db
    .select({ id: operationItems.id })
    .from(operationItems)
    .where(and(eq(operationItems.status, "running"), lt(operationItems.updatedAt, staleBefore)));
  let recovered = 0;
  for (const { id } of stale) {
    await deps.db.transaction(async (tx) => {
      const [item] = await tx
        .update(operationItems)
        .set({ status: "failed", detail: "interrupted: the process moving this user stopped", updatedAt: sql`now()` })
        .where(and(eq(operationItems.id, id), eq(operationItems.status, "running")))
        .returning({ toNodeId: operationItems.toNodeId });
      if (!item) return;
      recovered++;
      if (item.toNodeId) await releaseReservation(tx, item.toNodeId);
    });
  }
  return recovered;
}
