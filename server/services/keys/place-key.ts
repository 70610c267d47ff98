/**
 * Placing a key: the slow path behind get-or-create (a new user, or one whose node is down) and
 * refresh. Each step is a short transaction or one panel call (placement.ts has the transactions):
 *
 * 1. A placement an earlier request of this user left stale is settled first (settle-in-flight.ts).
 * 2. `beginPlacement` reserves capacity on the best candidate and inserts a `pending` assignment,
 *    owned by this request until `settle_by`; a rotation's old key keeps working meanwhile.
 * 3. Under the node's writer: `renewClaim`, the panel call (`createClientOnNode`), and
 *    `activatePlacement`, fenced by the writer — the old key of a rotation becomes `revoking`.
 *    A user nobody has seen yet gets steps 2 and 3 with one commit less: the statement that
 *    reserves and writes the pending row takes the writer's lease too (`placeNewUser`).
 * 4. The old key's client is taken off its panel (retire-assignment.ts).
 *
 * A definite failure on a node ejects it for a cool-off (outlier-ejection.ts) and moves the same
 * pending row to the next candidate; none left → the row fails, its place is released, and a
 * rotation's old key simply stays. An unknown outcome (the panel took the request but neither its
 * answer nor a read-back said what happened) is never retried elsewhere: the row stays pending,
 * open to the next request, and the caller gets KEY_PENDING with Retry-After (invariant 8).
 *
 * A crash between any two steps leaves a stale `pending` or `revoking` row that the user's next
 * request, the reconciler or the failover step settles — never a twin client, never a lost key.
 */
import { and, eq } from "drizzle-orm";
import { assignments, nodes, vpnUsers, type Assignment, type Node } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { logger } from "@/server/logger";
import { ref } from "@/server/messages";
import type { Transaction } from "@/server/services/audit/record-audit";
import { rankFleet } from "@/server/services/balancer/rank-fleet";
import type { PlacementPreference, Ranking, ScoredNode } from "@/server/services/balancer/score-nodes";
import { keyProtocol, movePreference } from "@/server/services/balancer/user-preference";
import { isPanelError } from "@/server/x3ui/types";
import { describeFailure } from "./describe-failure";
import type { KeyDeps, KeyWorkDeps } from "./key-deps";
import { createClientOnNode, OutcomeUnknownError } from "./node-client";
import { NodeBusyError, withNodeWriter, WriterLostError, type NodeWriter } from "./node-writer";
import { EJECTION_CLEARED, ejectNode, isNodeFailure } from "./outlier-ejection";
import { abandonPlacement, activatePlacement, beginNewUserPlacement, beginPlacement, moveToNextCandidate, ownsClaim, releaseClaim, renewClaim, type Placement, type PlacementInput } from "./placement";
import { retireAssignment } from "./retire-assignment";
import { settlePending } from "./settle-in-flight";

export type { NewUserPlan, PlacementInput } from "./placement";

export type PlacementOutcome =
  | { kind: "placed"; assignment: Assignment; placement: Placement }
  /** Another request owns this user's placement until `settleBy`. */
  | { kind: "in-flight"; settleBy: Date | null }
  | { kind: "already-served" };

export function keyPending(retryAfterMs: number): AppError {
  return new AppError("KEY_PENDING", "The key is being confirmed by its node. Retry shortly: the same key comes back once it is confirmed.", {
    retryAfterSeconds: retryAfterMs / 1000,
  });
}

/** The row is no longer this request's to finish: someone settled it as stale. */
class TakenOverError extends Error {
  override readonly name = "TakenOverError";
}

/** Attempts on one node retried after this request's own writer lease lapsed. */
const MAX_WRITER_LAPSES = 2;

type ActivateAlongside = Parameters<typeof activatePlacement>[4];
type MoveAlongside = (tx: Transaction, next: Node, failure: unknown) => Promise<void>;

/**
 * One attempt on the placement's node: create the client and activate the row, under the node's
 * writer. Throws the panel's failure, OutcomeUnknownError, NodeBusyError or TakenOverError.
 */
async function attemptPlacement(deps: KeyWorkDeps, placement: Placement, alongside?: ActivateAlongside): Promise<Assignment> {
  return withNodeWriter(deps, placement.node.id, (writer) => attemptUnderWriter(deps, writer, placement, alongside));
}

async function attemptUnderWriter(deps: KeyWorkDeps, writer: NodeWriter, placement: Placement, alongside?: ActivateAlongside): Promise<Assignment> {
  if (!(await renewClaim(deps, placement))) throw new TakenOverError();
  const { shareLink } = await createClientOnNode(deps.panelFor, writer, placement.node, { ...placement.assignment, plan: placement.plan });
  await deps.steps?.("placement.created", { assignmentId: placement.assignment.id });
  const active = await activatePlacement(deps, writer, placement, shareLink, alongside);
  if (!active) throw new TakenOverError();
  if (placement.node.ejections > 0) await deps.db.update(nodes).set(EJECTION_CLEARED).where(eq(nodes.id, placement.node.id));
  return active;
}

/** The one-statement new user placed nothing (the user exists, or the best node filled up): the general path follows. */
class NotBegunError extends Error {}
const NOT_BEGUN = Symbol("not begun");

/**
 * A user the read found no trace of: the first attempt runs under the best node's writer, whose
 * lease the statement that reserves the place and writes the pending row takes too (one commit,
 * beginNewUserPlacement) — the in-process queue is held across it, as for any lease. A first
 * attempt that fails goes on like any other (runAttempts). NOT_BEGUN when that statement placed nothing.
 */
async function placeNewUser(deps: KeyDeps, input: PlacementInput, candidates: ScoredNode[]): Promise<Awaited<ReturnType<typeof runAttempts>> | typeof NOT_BEGUN> {
  const best = candidates[0];
  if (!best) return NOT_BEGUN;
  let begun: Placement | undefined;
  try {
    const assignment = await withNodeWriter(
      deps,
      best.nodeId,
      async (writer) => {
        const placement = begun as Placement;
        await deps.steps?.("placement.reserved", { assignmentId: placement.assignment.id });
        return attemptUnderWriter(deps, writer, placement);
      },
      async (owner, ttlMs) => {
        const result = await beginNewUserPlacement(deps, input, candidates, { owner, ttlMs });
        if (!result) throw new NotBegunError();
        begun = result.placement;
        return result.fence;
      },
    );
    return { assignment, placement: begun as Placement };
  } catch (error) {
    if (error instanceof NotBegunError) return NOT_BEGUN;
    if (!begun) throw error;
    return runAttempts(deps, begun, {}, { error });
  }
}

/**
 * Runs attempts from the placement's node down its candidate list. Resolves with the active
 * assignment, or null when the work was taken over by another request (its result is the user's).
 * `onMove` runs inside each move's transaction with the failure that caused it (migration keeps
 * its operation item in step).
 */
export async function runAttempts(
  deps: KeyWorkDeps,
  begun: Placement,
  hooks: { alongside?: ActivateAlongside; onMove?: MoveAlongside } = {},
  /** The first attempt was made already (placeNewUser) and failed so: go on from its failure. */
  failedFirst?: { error: unknown },
): Promise<{ assignment: Assignment; placement: Placement } | null> {
  let placement = begun;
  let lapses = 0;
  for (let failed = failedFirst; ; failed = undefined) {
    try {
      if (failed) throw failed.error;
      return { assignment: await attemptPlacement(deps, placement, hooks.alongside), placement };
    } catch (error) {
      if (error instanceof TakenOverError || error instanceof WriterLostError) {
        // Our writer lease lapsed (a stall longer than it) but the row is still ours: the same node
        // again, where the add is idempotent by email. Otherwise another request settled it.
        if (lapses < MAX_WRITER_LAPSES && (await ownsClaim(deps, placement))) {
          lapses++;
          continue;
        }
        return null;
      }
      if (error instanceof OutcomeUnknownError) {
        // Never create this user elsewhere while this node may have the client: the next request reads it back.
        await ejectNode(deps.db, placement.node.id, deps.ejection);
        await releaseClaim(deps, placement, describeFailure(error));
        const [node] = await deps.db.select({ until: nodes.ejectedUntil }).from(nodes).where(eq(nodes.id, placement.node.id));
        throw keyPending(Math.max(1_000, (node?.until?.getTime() ?? Date.now()) - Date.now()));
      }
      if (!isPanelError(error) && !(error instanceof NodeBusyError)) throw error;
      const failure = describeFailure(error);
      logger.warn("key placement failed on a node", { nodeId: placement.node.id, assignmentId: placement.assignment.id, error });
      if (isNodeFailure(error)) await ejectNode(deps.db, placement.node.id, deps.ejection);
      const onMove = hooks.onMove;
      const next = await moveToNextCandidate(deps, placement, failure, onMove && ((tx, node) => onMove(tx, node, error)));
      if (!next) {
        await abandonPlacement(deps, placement, failure);
        // The last node's failure rides along as the cause: a move names it on its operation item.
        throw new AppError("PANELS_UNAVAILABLE", ref("error.key.panelsUnavailable"), { cause: error });
      }
      placement = next;
    }
  }
}

/** No candidate at all: a location nobody serves is the caller's to change, a full fleet is worth retrying. */
function nothingToPlaceOn(ranking: Ranking, location: string | null | undefined): AppError {
  const missing = ranking.missingLocation;
  if (missing) {
    const message =
      missing.known.length > 0
        ? ref("error.location.none", { location: missing.location, locations: missing.known.join(", ") })
        : ref("error.location.noneAtAll", { location: missing.location });
    return new AppError("NO_NODE_IN_LOCATION", message, { fields: { location: message } });
  }
  const where = location?.trim();
  return new AppError("NO_CAPACITY", where ? ref("error.capacity.location", { location: where }) : ref("error.capacity.none"));
}

/**
 * Where this placement may go: the location the request gives (it becomes the user's stored one),
 * else the one the user asked for before (strictly, if they said so); and a key that exists keeps
 * its protocol (balancer/user-preference.ts).
 */
async function preferenceFor(deps: KeyDeps, input: PlacementInput): Promise<PlacementPreference> {
  // The caller just found no such user: nothing stored to read.
  if (input.isNewUser) return { location: input.location, strictLocation: input.strictLocation };
  const [stored] = await deps.db
    .select({ preferredLocation: vpnUsers.preferredLocation, isStrictLocation: vpnUsers.isStrictLocation, key: assignments })
    .from(vpnUsers)
    .leftJoin(assignments, and(eq(assignments.userId, vpnUsers.id), eq(assignments.state, "active"), eq(assignments.role, "primary")))
    .where(eq(vpnUsers.telegramId, input.telegramId));
  if (input.location !== undefined) return { location: input.location, strictLocation: input.strictLocation, protocol: keyProtocol(stored?.key?.shareLink) };
  return stored ? movePreference(stored, stored.key) : {};
}

/** The balancer's ranking, or only the node an admin chose (rejected when it cannot take users). */
async function rankFor(deps: KeyDeps, input: PlacementInput): Promise<Ranking & { retryAfterMs: number | null; preference: PlacementPreference }> {
  const preference = input.nodeId ? {} : await preferenceFor(deps, input);
  const ranking = { ...(await rankFleet(deps.db, preference)), preference };
  if (!input.nodeId) return ranking;
  const chosen = ranking.candidates.filter((c) => c.nodeId === input.nodeId);
  if (chosen.length === 0) throw new AppError("BAD_REQUEST", ref("error.user.nodeCannotTake"), { fields: { nodeId: ref("user.field.nodeCannotTake") } });
  return { ...ranking, candidates: chosen };
}

/** The general path: the placement transaction (after settling what a crashed request left), then the attempts. */
async function beginAndAttempt(deps: KeyDeps, input: PlacementInput, candidates: ScoredNode[]): Promise<Awaited<ReturnType<typeof runAttempts>> | PlacementOutcome> {
  let begun = await beginPlacement(deps, input, candidates);
  // A placement a crashed request left behind is settled before a new one starts.
  for (let round = 0; begun.kind === "stale"; round++) {
    const settled = await settlePending(deps, begun.pending);
    if (settled.kind === "unknown") throw keyPending(settled.retryAfterMs);
    if (settled.kind === "activated" && input.mode === "replace-unservable") return { kind: "already-served" };
    if (round >= 2) return { kind: "in-flight", settleBy: null };
    begun = await beginPlacement(deps, input, candidates);
  }
  if (begun.kind !== "begun") return begun.kind === "in-flight" ? { kind: "in-flight", settleBy: begun.settleBy } : begun;
  await deps.steps?.("placement.reserved", { assignmentId: begun.placement.assignment.id });
  return runAttempts(deps, begun.placement);
}

export async function placeKey(deps: KeyDeps, input: PlacementInput): Promise<PlacementOutcome> {
  const ranking = await rankFor(deps, input);
  if (ranking.candidates.length === 0) {
    if (ranking.retryAfterMs !== null) {
      throw new AppError("PANELS_UNAVAILABLE", "The nodes that could take this key are failing right now. Try again shortly.", {
        retryAfterSeconds: ranking.retryAfterMs / 1000,
      });
    }
    throw nothingToPlaceOn(ranking, ranking.preference.strictLocation ? ranking.preference.location : null);
  }
  const fresh = input.isNewUser && !input.actor ? await placeNewUser(deps, input, ranking.candidates) : NOT_BEGUN;
  const result = fresh === NOT_BEGUN ? await beginAndAttempt(deps, input, ranking.candidates) : fresh;
  if (!result) return { kind: "in-flight", settleBy: null };
  if (!("assignment" in result)) return result;
  await deps.steps?.("placement.activated", { assignmentId: result.assignment.id });
  if (result.placement.replaces) await retireAssignment(deps, result.placement.replaces);
  return { kind: "placed", ...result };
}
