/**
 * Placing a key: the slow path behind get-or-create (new user, or a user whose node is unhealthy)
 * and refresh. The steps, each a short transaction or one panel call:
 *
 * 1. `beginPlacement` — under a per-user transaction-scoped advisory lock: upsert the user, look at
 *    the live assignment, retire it when rotating, reserve capacity on the best candidate with a
 *    conditional UPDATE and insert a `pending` assignment whose client id and email are final.
 *    The pending row is the in-flight marker: a duplicate request waits on it, never completes it.
 * 2. `createClientOnNode` — the panel call, outside any transaction.
 * 3. `activatePlacement` on success; on failure `moveToNextCandidate` (release here, reserve
 *    there, same transaction) or `abandonPlacement` (failed + release + give the old key back).
 * 4. After a rotation, the retired client is deleted; if that fails it stays `revoking` and the
 *    reconciler deletes it.
 *
 * A crash between any two steps leaves a `pending` or `revoking` row that the reconciler
 * completes or cleans (invariant 3).
 */
import { and, eq, sql } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { assignments, nodes, vpnUsers, type Assignment, type Node, type PlacementReason } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import { logger } from "@/server/logger";
import { recordAudit, type Transaction } from "@/server/services/audit/record-audit";
import type { Actor } from "@/server/services/actor";
import { rankFleet } from "@/server/services/balancer/rank-fleet";
import type { PlacementPreference, Ranking, ScoredNode } from "@/server/services/balancer/score-nodes";
import { releaseReservation, reserveAnyRoom, reserveForNewUser } from "./capacity";
import { newAssignmentIdentity } from "./client-identity";
import { clientPlanFor, type ClientPlan } from "./client-plan";
import { systemClock } from "@/server/services/clock";
import { describeFailure } from "./describe-failure";
import { CLIENT_EMAIL_PREFIX, type KeyDeps } from "./key-deps";
import { createClientOnNode, deleteClientFromNode } from "./node-client";

// Lock-id namespace for per-user locks (two-int form, so it never collides with single-key locks).
const USER_LOCK_NAMESPACE = 5_301;

/** A plan given with the request that creates the user; an existing user's plan changes through the plans service. */
export type NewUserPlan = { expiresAt?: Date | null; trafficLimitBytes?: number | null; deviceLimit?: number | null };

export type PlacementInput = PlacementPreference & {
  telegramId: number;
  username?: string | null;
  plan?: NewUserPlan;
  /** An admin's choice of node: the only candidate, instead of the balancer's ranking. */
  nodeId?: string;
  /** rotate = always issue a new client (refresh); replace-unservable = only when the current key cannot be served. */
  mode: "rotate" | "replace-unservable";
  /** An admin acting from the dashboard: audited in the transaction that retires the old key (invariant 9). */
  actor?: Actor;
};

export type Placement = {
  assignment: Assignment;
  node: Node;
  /** What the new client carries: the user's plan, its whole remaining quota. */
  plan: ClientPlan;
  /** The live assignment this placement replaces, now `revoking`. */
  retired: Assignment | null;
  candidates: ScoredNode[];
  /** Index in `candidates` of the node reserved now. */
  position: number;
};

export type PlacementOutcome = { kind: "placed"; assignmentId: string } | { kind: "in-flight" } | { kind: "already-served" };

export async function lockUser(tx: Transaction, telegramId: number): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${USER_LOCK_NAMESPACE}::int, hashtext(${String(telegramId)}))`);
}

function reasonFor(candidates: ScoredNode[], chosen: string, location: string | null | undefined, note?: string): PlacementReason {
  return {
    strategy: "balancer",
    location: location ?? null,
    candidates: candidates.map((c) => ({ nodeId: c.nodeId, name: c.name, score: c.score, load: c.load, healthState: c.healthState })),
    chosenNodeId: chosen,
    ...(note ? { note } : {}),
  };
}

async function reserveFrom(tx: Transaction, candidates: ScoredNode[], start: number): Promise<{ node: Node; position: number } | null> {
  for (let i = start; i < candidates.length; i++) {
    const candidate = candidates[i];
    if (!candidate) continue;
    const node = await reserveForNewUser(tx, candidate.nodeId);
    if (node) return { node, position: i };
  }
  return null;
}

export async function beginPlacement(deps: KeyDeps, input: PlacementInput, candidates: ScoredNode[]): Promise<Placement | PlacementOutcome> {
  return deps.db.transaction(async (tx) => {
    await lockUser(tx, input.telegramId);
    const [user] = await tx
      .insert(vpnUsers)
      .values({ telegramId: input.telegramId, username: input.username ?? null, subscriptionToken: randomBytes(24).toString("base64url"), ...input.plan })
      .onConflictDoUpdate({
        target: vpnUsers.telegramId,
        set: { username: sql`coalesce(excluded.username, ${vpnUsers.username})`, updatedAt: sql`now()` },
      })
      .returning();
    if (!user) throw new Error("user upsert returned nothing");
    if (user.status !== "active") throw new AppError("FORBIDDEN", ref("error.user.disabled"));

    const [live] = await tx
      .select({ assignment: assignments, healthState: nodes.healthState })
      .from(assignments)
      .innerJoin(nodes, eq(nodes.id, assignments.nodeId))
      .where(and(eq(assignments.userId, user.id), sql`${assignments.state} IN ('pending', 'active')`));
    if (live?.assignment.state === "pending") return { kind: "in-flight" } as const;

    let retired: Assignment | null = null;
    if (live) {
      if (input.mode === "replace-unservable" && live.healthState !== "unhealthy" && live.assignment.shareLink) {
        return { kind: "already-served" } as const;
      }
      [retired = null] = await tx
        .update(assignments)
        .set({ state: "revoking", updatedAt: sql`now()` })
        .where(and(eq(assignments.id, live.assignment.id), eq(assignments.state, "active")))
        .returning();
      if (live.assignment.nodeId) await releaseReservation(tx, live.assignment.nodeId);
    }
    if (input.actor) {
      await recordAudit(tx, input.actor, { action: "key.refresh", targetType: "vpn_user", targetId: String(input.telegramId), before: { assignmentId: live?.assignment.id ?? null } });
    }

    const reserved = await reserveFrom(tx, candidates, 0);
    // Throwing rolls the retirement back too: the user keeps the key they had.
    if (!reserved) throw new AppError("NO_CAPACITY", ref("error.capacity.none"));

    const identity = newAssignmentIdentity(deps.emailPrefix ?? CLIENT_EMAIL_PREFIX, input.telegramId);
    const [assignment] = await tx
      .insert(assignments)
      .values({
        id: identity.assignmentId,
        userId: user.id,
        nodeId: reserved.node.id,
        inboundId: reserved.node.inboundId,
        clientId: identity.clientId,
        clientEmail: identity.clientEmail,
        state: "pending",
        placementReason: { ...reasonFor(candidates, reserved.node.id, input.location), ...(input.nodeId ? { strategy: "manual" as const } : {}) },
      })
      .returning();
    if (!assignment) throw new Error("assignment insert returned nothing");
    return { assignment, node: reserved.node, plan: clientPlanFor(user, 0, (deps.clock ?? systemClock).now()), retired, candidates, position: reserved.position };
  });
}

export async function activatePlacement(deps: KeyDeps, assignmentId: string, shareLink: string): Promise<void> {
  await deps.db
    .update(assignments)
    .set({ state: "active", shareLink, activatedAt: sql`now()`, updatedAt: sql`now()`, lastError: null })
    .where(and(eq(assignments.id, assignmentId), eq(assignments.state, "pending")));
}

/** Same pending row, next node: the in-flight marker never disappears while the request retries. */
async function moveToNextCandidate(deps: KeyDeps, placement: Placement, failure: string, location?: string | null): Promise<Placement | null> {
  return deps.db.transaction(async (tx) => {
    const [current] = await tx
      .select({ state: assignments.state })
      .from(assignments)
      .where(eq(assignments.id, placement.assignment.id))
      .for("update");
    // Left `pending` under us (the reconciler finished it): nothing to move.
    if (current?.state !== "pending") return null;
    const next = await reserveFrom(tx, placement.candidates, placement.position + 1);
    if (!next) return null;
    await releaseReservation(tx, placement.node.id);
    const note = `${placement.node.name} failed (${failure}); moved to ${next.node.name}`;
    const [assignment] = await tx
      .update(assignments)
      .set({
        nodeId: next.node.id,
        inboundId: next.node.inboundId,
        lastError: failure,
        placementReason: reasonFor(placement.candidates, next.node.id, location, note),
        updatedAt: sql`now()`,
      })
      .where(eq(assignments.id, placement.assignment.id))
      .returning();
    if (!assignment) throw new Error("pending assignment vanished under its row lock");
    return { ...placement, assignment, node: next.node, position: next.position };
  });
}

/** No candidate left: the assignment fails, its place is released, and a rotated-out key is given back. */
async function abandonPlacement(deps: KeyDeps, placement: Placement, failure: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const failed = await tx
      .update(assignments)
      .set({ state: "failed", lastError: failure, endedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(assignments.id, placement.assignment.id), eq(assignments.state, "pending")))
      .returning({ id: assignments.id });
    if (failed.length === 0) return;
    await releaseReservation(tx, placement.node.id);
    const retired = placement.retired;
    if (retired?.nodeId && (await reserveAnyRoom(tx, retired.nodeId))) {
      const restored = await tx
        .update(assignments)
        .set({ state: "active", updatedAt: sql`now()` })
        .where(and(eq(assignments.id, retired.id), eq(assignments.state, "revoking")))
        .returning({ id: assignments.id });
      if (restored.length === 0) await releaseReservation(tx, retired.nodeId);
    }
  });
}

/** Deletes a rotated-out client and closes its row; on any failure the row stays `revoking` for the reconciler. */
export async function retireAssignment(deps: KeyDeps, retired: Pick<Assignment, "id" | "nodeId" | "inboundId" | "clientEmail">): Promise<boolean> {
  if (!retired.nodeId) return false;
  const [node] = await deps.db.select().from(nodes).where(eq(nodes.id, retired.nodeId));
  // An unreachable panel would only cost the caller a timeout; the reconciler removes the client later.
  if (!node || node.healthState === "unhealthy") return false;
  try {
    await deleteClientFromNode(deps, node, retired);
  } catch (error) {
    logger.warn("could not delete a retired client; the reconciler will", { assignmentId: retired.id, nodeId: node.id, error });
    return false;
  }
  await deps.db
    .update(assignments)
    .set({ state: "revoked", endedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(assignments.id, retired.id), eq(assignments.state, "revoking")));
  return true;
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

async function candidatesFor(deps: KeyDeps, input: PlacementInput): Promise<ScoredNode[]> {
  const ranking = await rankFleet(deps.db, input.nodeId ? {} : input);
  const { candidates } = ranking;
  if (!input.nodeId) {
    if (candidates.length === 0) throw nothingToPlaceOn(ranking, input.strictLocation ? input.location : null);
    return candidates;
  }
  const chosen = candidates.filter((c) => c.nodeId === input.nodeId);
  if (chosen.length === 0) throw new AppError("BAD_REQUEST", ref("error.user.nodeCannotTake"), { fields: { nodeId: ref("user.field.nodeCannotTake") } });
  return chosen;
}

export async function placeKey(deps: KeyDeps, input: PlacementInput): Promise<PlacementOutcome> {
  const candidates = await candidatesFor(deps, input);
  const begun = await beginPlacement(deps, input, candidates);
  if ("kind" in begun) return begun;

  let placement = begun;
  for (;;) {
    let shareLink: string;
    try {
      shareLink = (await createClientOnNode(deps, placement.node, { ...placement.assignment, plan: placement.plan })).shareLink;
    } catch (error) {
      const failure = describeFailure(error);
      logger.warn("key placement failed on a node", { nodeId: placement.node.id, assignmentId: placement.assignment.id, error });
      const next = await moveToNextCandidate(deps, placement, failure, input.location);
      if (!next) {
        await abandonPlacement(deps, placement, failure);
        throw new AppError("PANELS_UNAVAILABLE", ref("error.key.panelsUnavailable"));
      }
      placement = next;
      continue;
    }
    // A failure from here on is the database's: the client exists and the reconciler activates the row.
    await activatePlacement(deps, placement.assignment.id, shareLink);
    break;
  }
  if (begun.retired) await retireAssignment(deps, begun.retired);
  return { kind: "placed", assignmentId: begun.assignment.id };
}
