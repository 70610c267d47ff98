/**
 * Moves one user, described by one `operation_items` row, from the node it is on to another — a
 * rotation, placed with the same steps as a refresh (keys/place-key.ts), so a crash anywhere is
 * settled the same way:
 *
 * 1. `claimMove` — one short transaction under the user's lock: the user must still hold an
 *    `active` key on the source and have no placement in flight; capacity is reserved on the
 *    target and a `pending` assignment replacing the old one is inserted there, and the item
 *    becomes `running` with its `to_node_id`.
 * 2. `runAttempts` on the target (node writer, read-back on an unknown outcome); a failing target
 *    hands the same pending row to the next candidate. The old key keeps working meanwhile.
 * 3. The activation is ONE transaction: the new assignment active, the old one `revoking` with its
 *    place released on the source, the item succeeded, and the key.moved webhook queued. The
 *    user's subscription token lives on vpn_users, so /sub/{token} serves the new key from then on.
 * 4. The old client is taken off the source now (deleted, or switched off where the panel refuses),
 *    or — when the call fails — left `revoking` for the reconciler. A source declared down is not
 *    called at all: the activation already left the old key to the reconciler (a failover's usual
 *    case, which so costs no statement more).
 *
 * A crash between any two steps leaves a running item and a stale pending row:
 * `recoverInterruptedMoves` settles the row (activating it if the target has the client, failing
 * it otherwise) and completes the item, or hands it back to be moved again.
 */
import { and, eq, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { assignments, operationItems, operations, vpnUsers, type Assignment, type Node, type VpnUser } from "@/server/db/schema";
import { isAppError, type AppError } from "@/server/errors";
import { logger } from "@/server/logger";
import { isMessageRef, type MessageRef } from "@/server/message-ref";
import { ref } from "@/server/messages";
import type { Transaction } from "@/server/services/audit/record-audit";
import { rankFleet } from "@/server/services/balancer/rank-fleet";
import { movePreference } from "@/server/services/balancer/user-preference";
import type { ScoredNode } from "@/server/services/balancer/score-nodes";
import { clientPlanFor, hasPlan, loadClientPlans, type ClientPlan, type PlanRow } from "@/server/services/keys/client-plan";
import { failureRef } from "@/server/services/keys/describe-failure";
import { subscriptionUrlFor } from "@/server/services/keys/find-user-key";
import { inFlightDeadlineMs } from "@/server/services/keys/key-deps";
import { applyPlanOnNode } from "@/server/services/keys/node-client";
import { runAttempts } from "@/server/services/keys/place-key";
import { insertPending, isStale, isUniqueViolation, liveAssignmentsOf, lockUser, PLACEMENT_USER_COLUMNS, type Placement } from "@/server/services/keys/placement";
import { retireAssignment } from "@/server/services/keys/retire-assignment";
import { settlePending } from "@/server/services/keys/settle-in-flight";
import { enqueueNotification } from "@/server/services/notifications/enqueue-notification";
import type { MigrationDeps, MoveReason } from "./migration-deps";

export type MoveItem = { id: number; userId: string | null; fromNodeId: string | null; toNodeId: string | null };

/** Why a move did not happen, as a code the dashboard renders in the reader's language. */
export type MoveOutcome =
  | { status: "succeeded"; toNodeId: string; sourceCleaned: boolean }
  | { status: "skipped"; detail: MessageRef; isUnplaced: boolean }
  | { status: "failed"; detail: MessageRef };

/** The node the user leaves, as the claim read it with their key. */
type Source = Pick<Node, "id" | "name" | "location" | "healthState">;

type Claimed = { placement: Placement; old: Assignment; source: Source };

/** The user an item moves, read once for the ranking and the claim: their preference, their plan and their key. */
type Mover = {
  user: Pick<VpnUser, "id" | "telegramId" | "username" | "subscriptionToken" | "preferredLocation" | "isStrictLocation"> & PlanRow;
  key: Assignment | null;
};

/** An item's outcome: rendered from `detail_ref`; `detail` keeps its code for the logs and psql (as a cancellation's). */
export function itemDetail(why: MessageRef): { detail: string; detailRef: MessageRef } {
  return { detail: why.code, detailRef: why };
}

/** Closes an item that is still open: one that another worker (or the recovery) already closed keeps its outcome. */
async function setItem(tx: Transaction | MigrationDeps["db"], itemId: number, status: "skipped" | "failed", why: MessageRef): Promise<void> {
  await tx
    .update(operationItems)
    .set({ status, ...itemDetail(why), updatedAt: sql`now()` })
    .where(and(eq(operationItems.id, itemId), inArray(operationItems.status, ["pending", "running"])));
}

/** Why every node tried refused the user: the last node's panel failure when there was one. */
function failedOn(node: Node, error: AppError): MessageRef {
  if (error.code === "KEY_PENDING") return ref("operation.item.unconfirmed", { node: node.name });
  if (error.code === "PANELS_UNAVAILABLE" && error.cause) return ref("operation.item.noOtherTarget", { node: node.name, reason: failureRef(error.cause) });
  return ref("operation.item.failedOn", { node: node.name, reason: isMessageRef(error.text) ? error.text : ref("failure.unexpected") });
}

async function claimMove(deps: MigrationDeps, item: MoveItem, mover: Mover | null, candidates: ScoredNode[], reason: MoveReason): Promise<Claimed | Exclude<MoveOutcome, { status: "succeeded" }>> {
  const skip = (detail: MessageRef, isUnplaced = false) => ({ status: "skipped" as const, detail, isUnplaced });
  if (!item.userId || !item.fromNodeId) return skip(ref("operation.item.gone"));
  if (!mover) return skip(ref("operation.item.userGone"));
  const { user } = mover;
  const fromNodeId = item.fromNodeId;
  const claimedAt = Date.now();
  return deps.db.transaction(async (tx) => {
    await lockUser(tx, user.telegramId);
    const { pending, active, standbyNodeId } = await liveAssignmentsOf(tx, user.id);
    if (pending) return skip(ref("operation.item.inFlight"));
    if (!active || active.assignment.nodeId !== fromNodeId) return skip(ref("operation.item.keyChanged"));
    const source: Source = { id: fromNodeId, name: active.nodeName, location: active.location, healthState: active.healthState };
    const placement = await insertPending(deps, tx, {
      user,
      // The target gets what is left of the quota (its counter starts at zero) and the same expiry.
      plan: clientPlanFor(user, 0, deps.clock.now()),
      candidates,
      replaces: active.assignment,
      location: user.preferredLocation ?? active.assignment.placementReason?.location ?? null,
      skipNodeId: fromNodeId,
      standbyNodeId,
      reason: { strategy: reason === "rebalance" ? "rebalance" : "migration", note: `moved from ${source.name} (${reason})` },
      claimedAt,
    });
    if (!placement) return skip(ref(item.toNodeId ? "operation.item.targetFull" : "operation.item.noRoom"), true);
    const marked = await tx
      .update(operationItems)
      .set({ status: "running", toNodeId: placement.node.id, detail: null, updatedAt: sql`now()` })
      .where(and(eq(operationItems.id, item.id), eq(operationItems.status, "pending")))
      .returning({ id: operationItems.id });
    // Claimed by someone else: throwing rolls the reservation and the pending row back with it.
    if (marked.length === 0) throw new ItemTakenError();
    return { placement, old: active.assignment, source };
  });
}

class ItemTakenError extends Error {
  override readonly name = "ItemTakenError";
}

function nodeRef(node: Pick<Node, "id" | "name" | "location">) {
  return { id: node.id, name: node.name, location: node.location };
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

/** The user of an item and their active key, or null when the user is gone. */
async function readMover(deps: MigrationDeps, item: MoveItem): Promise<Mover | null> {
  if (!item.userId) return null;
  const [row] = await deps.db
    .select({
      user: { ...PLACEMENT_USER_COLUMNS, preferredLocation: vpnUsers.preferredLocation, isStrictLocation: vpnUsers.isStrictLocation },
      key: assignments,
    })
    .from(vpnUsers)
    .leftJoin(assignments, and(eq(assignments.userId, vpnUsers.id), eq(assignments.state, "active"), eq(assignments.role, "primary")))
    .where(eq(vpnUsers.id, item.userId));
  return row ?? null;
}

/**
 * Candidates for a move, ranked with what the user asked for and the key they hold
 * (balancer/user-preference.ts): their location (only that one when strict) and the key's protocol.
 * The planned target only for a rebalance; an admin's own choice of node is taken as it is.
 */
async function candidatesFor(deps: MigrationDeps, item: MoveItem, mover: Mover | null, reason: MoveReason): Promise<ScoredNode[]> {
  const isAdminsChoice = reason === "manual" && item.toNodeId !== null;
  const { candidates } = await rankFleet(deps.db, mover && !isAdminsChoice ? movePreference(mover.user, mover.key) : {});
  if (!item.toNodeId) return candidates.filter((c) => c.nodeId !== item.fromNodeId);
  return candidates.filter((c) => c.nodeId === item.toNodeId);
}

export async function migrateItem(deps: MigrationDeps, item: MoveItem, reason: MoveReason): Promise<MoveOutcome> {
  const mover = await readMover(deps, item);
  const candidates = await candidatesFor(deps, item, mover, reason);
  let claimed: Claimed;
  try {
    const result = await claimMove(deps, item, mover, candidates, reason);
    if ("status" in result) {
      await setItem(deps.db, item.id, result.status, result.detail);
      return result;
    }
    claimed = result;
  } catch (error) {
    if (error instanceof ItemTakenError) return { status: "skipped", detail: ref("operation.item.claimedElsewhere"), isUnplaced: false };
    // A key request for this user began a placement at the same moment (it takes no user lock): it wins.
    if (isUniqueViolation(error, "assignments_one_pending_per_user")) {
      await setItem(deps.db, item.id, "skipped", ref("operation.item.inFlight"));
      return { status: "skipped", detail: ref("operation.item.inFlight"), isUnplaced: false };
    }
    throw error;
  }
  await deps.steps?.("placement.reserved", { assignmentId: claimed.placement.assignment.id });

  const { user } = claimed.placement;
  let target = claimed.placement.node;
  let result: Awaited<ReturnType<typeof runAttempts>>;
  try {
    result = await runAttempts(deps, claimed.placement, {
      onMove: async (tx, next, failure) => {
        const why = ref("operation.item.retrying", { node: target.name, reason: failureRef(failure), next: next.name });
        await tx.update(operationItems).set({ toNodeId: next.id, ...itemDetail(why), updatedAt: sql`now()` }).where(eq(operationItems.id, item.id));
        target = next;
      },
      alongside: async (tx, active) => {
        // The item succeeds in the statement that queues the webhook: the target's writer is held across this transaction.
        const succeeded = tx.$with("succeeded").as(
          tx
            .update(operationItems)
            .set({ status: "succeeded", ...itemDetail(ref("operation.item.movedTo", { node: target.name })), updatedAt: sql`now()` })
            .where(and(eq(operationItems.id, item.id), eq(operationItems.status, "running")))
            .returning({ id: operationItems.id }),
        );
        await enqueueNotification(tx, deps.notifications, {
          event: "key.moved",
          data: {
            telegramId: user.telegramId,
            username: user.username,
            key: active.shareLink ?? "",
            subscriptionUrl: subscriptionUrlFor(deps.publicUrl, user.subscriptionToken),
            reason,
            from: nodeRef(claimed.source),
            to: nodeRef(target),
          },
        }, succeeded);
      },
    });
  } catch (error) {
    if (!isAppError(error)) throw error;
    // KEY_PENDING: the target may have the client; the item stays running until the recovery settles it.
    const why = failedOn(target, error);
    if (error.code !== "KEY_PENDING") await setItem(deps.db, item.id, "failed", why);
    return { status: "failed", detail: why };
  }
  if (!result) return { status: "failed", detail: ref("operation.item.settledElsewhere") };
  await deps.steps?.("placement.activated", { assignmentId: result.assignment.id });
  // A source declared down when the move was claimed: the activation left its old key for the reconciler.
  const sourceCleaned = claimed.source.healthState !== "unhealthy" && (await retireAssignment(deps, claimed.old)) !== "pending";
  await catchUpPlan(deps, result.placement.node, { ...result.assignment, plan: result.placement.plan });
  return { status: "succeeded", toNodeId: result.assignment.nodeId ?? target.id, sourceCleaned };
}

/**
 * Running items whose process died: the placement they began is past its deadline (`settle_by`),
 * or gone. It is settled — activated if the target has the client (the move completes), failed and
 * released otherwise — and the item closed to match: succeeded, or back to `pending` so the
 * operation moves the user again (being interrupted is not a reason to give up on a user, and a
 * user of a dead node must not stay there). Idempotent and safe on any number of replicas; with
 * `operationId`, only that operation's items.
 */
export async function recoverInterruptedMoves(deps: MigrationDeps, operationId?: string): Promise<number> {
  // A running item with no pending row is either between its failed placement and its own close, or
  // orphaned: only one older than a whole attempt is treated as orphaned.
  const orphanedBefore = sql`now() - make_interval(secs => ${inFlightDeadlineMs(deps) / 1000})`;
  const running = await deps.db
    .select({ id: operationItems.id, userId: operationItems.userId, kind: operations.kind, pending: assignments })
    .from(operationItems)
    .innerJoin(operations, eq(operations.id, operationItems.operationId))
    .leftJoin(assignments, and(eq(assignments.userId, operationItems.userId), eq(assignments.state, "pending"), eq(assignments.role, "primary")))
    .where(
      and(
        eq(operationItems.status, "running"),
        operationId ? eq(operationItems.operationId, operationId) : undefined,
        or(and(isNull(assignments.id), lt(operationItems.updatedAt, orphanedBefore)), and(isNotNull(assignments.id), isStale)),
      ),
    );
  let recovered = 0;
  for (const item of running) {
    const settled = item.pending ? await settlePending(deps, item.pending) : ({ kind: "failed" } as const);
    if (settled.kind === "unknown" || settled.kind === "unchanged") continue;
    const isMoved = settled.kind === "activated";
    const closed = await deps.db
      .update(operationItems)
      .set(
        isMoved
          ? { status: "succeeded", ...itemDetail(ref("operation.item.completedAfterStop")), updatedAt: sql`now()` }
          : {
              status: "pending",
              // A rebalance keeps its planned target; a failover or drain asks the balancer again.
              ...(item.kind === "rebalance" ? {} : { toNodeId: null }),
              ...itemDetail(ref("operation.item.interrupted")),
              updatedAt: sql`now()`,
            },
      )
      .where(and(eq(operationItems.id, item.id), eq(operationItems.status, "running")))
      .returning({ id: operationItems.id });
    if (closed.length > 0) recovered++;
  }
  return recovered;
}
