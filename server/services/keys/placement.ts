/**
 * The database half of placing a key — a new user's first key, a refresh, a move — as short
 * transactions around the panel call that place-key.ts (and migration) make:
 *
 * - `beginPlacement`: under the user's lock, reserve capacity on the best candidate with a
 *   conditional UPDATE and insert a `pending` assignment whose client id and email are final,
 *   owned by this request until `settle_by`. A rotation's pending row names the active key it
 *   replaces, which keeps working — and keeps its place — until the new one is active. A user
 *   nobody has seen yet gets all three writes (user, reservation, pending row) in one statement.
 * - `renewClaim`: right before the panel call, under the node's writer, extend `settle_by` if the
 *   row is still ours (compare-and-set on the value we set): a request whose work was taken over
 *   as stale never touches the panel for it.
 * - `activatePlacement`: fenced by the writer, the pending row becomes active and the key it
 *   replaces becomes `revoking`, its place released — one transaction.
 * - `moveToNextCandidate` / `abandonPlacement`: a definite failure moves the same row to the next
 *   candidate (both node rows locked in id order) or fails it, releasing its place.
 */
import { and, eq, getTableColumns, inArray, sql, Table } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { assignments, nodes, vpnUsers, type Assignment, type AssignmentRole, type Node, type PlacementReason, type VpnUser } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import { recordAudit, type Transaction } from "@/server/services/audit/record-audit";
import type { Actor } from "@/server/services/actor";
import type { PlacementPreference, ScoredNode } from "@/server/services/balancer/score-nodes";
import { lockNodesInOrder, releaseReservation, reservationStatement, reservePlace } from "./capacity";
import { systemClock } from "@/server/services/clock";
import { newAssignmentIdentity } from "./client-identity";
import { clientPlanFor, PLAN_ROW_COLUMNS, type ClientPlan, type PlanRow } from "./client-plan";
import { CLIENT_EMAIL_PREFIX, inFlightDeadlineMs, type KeyDeps, type KeyWorkDeps } from "./key-deps";
import { releaseLeaseSql, takeLeaseIfFree, writerHolds, type NodeWriter } from "./node-writer";

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
  /** An admin acting from the dashboard: audited in the transaction that begins the rotation (invariant 9). */
  actor?: Actor;
  /** The caller's read found no user with this telegram id: the one-statement new user is worth trying (place-key.ts). */
  isNewUser?: boolean;
  /**
   * Also replace the user's subscription URL (a refresh for a URL that leaked), in the transaction
   * that begins the placement: committed with it, rolled back with it when the refresh is refused there.
   */
  rotateSubscription?: boolean;
};

export type PlacementUser = Pick<VpnUser, "id" | "telegramId" | "username" | "subscriptionToken"> & PlanRow;

export type Placement = {
  user: PlacementUser;
  /** The pending assignment. */
  assignment: Assignment;
  node: Node;
  /** What the new client carries: the user's plan, its whole remaining quota (a new client's counter starts at zero). */
  plan: ClientPlan;
  candidates: ScoredNode[];
  /** Index in `candidates` of the node reserved now. */
  position: number;
  /** The active assignment this one replaces once active (a rotation), else null. */
  replaces: Assignment | null;
  location?: string | null;
  /** Local time just before the statement that last set `settle_by` was sent: how fresh this request's claim is. */
  claimedAt: number;
};

export type BeginOutcome =
  | { kind: "begun"; placement: Placement }
  /** Another request is placing this user's key and owns that work until `settleBy`. */
  | { kind: "in-flight"; settleBy: Date }
  /** A placement whose request stopped before finishing (past `settle_by`): settle it first. */
  | { kind: "stale"; pending: Assignment }
  | { kind: "already-served" };

/** The unguessable token of a user's subscription URL, made once with the user. */
export function newSubscriptionToken(): string {
  return randomBytes(24).toString("base64url");
}

/** The columns that give a user a new subscription URL (the old one answers 404 from then on). */
export function newSubscriptionSet() {
  return { subscriptionToken: newSubscriptionToken(), updatedAt: sql`now()` };
}

export async function lockUser(tx: Transaction, telegramId: number): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${USER_LOCK_NAMESPACE}::int, hashtext(${String(telegramId)}))`);
}

/**
 * `now() + the in-flight deadline`, as SQL: deadlines are taken from the database's clock, one for
 * every replica. Cut to milliseconds, so the value a request read back compares equal in `renewClaim`.
 */
export function settleDeadline(deps: Pick<KeyDeps, "panelTimeoutMs" | "writer">) {
  return sql`date_trunc('milliseconds', now() + make_interval(secs => ${inFlightDeadlineMs(deps) / 1000}))`;
}

/** Inside a statement: the in-flight row's request no longer owns it. */
export const isStale = sql`(${assignments.settleBy} IS NULL OR ${assignments.settleBy} < now())`;

/** Inside a statement on `assignments`: the row's node is declared down. */
const isNodeDown = sql`EXISTS (SELECT 1 FROM ${nodes} WHERE ${nodes.id} = ${assignments.nodeId} AND ${nodes.healthState} = 'unhealthy')`;

export function placementReason(candidates: ScoredNode[], chosen: string, location: string | null | undefined, extra: Partial<PlacementReason> = {}): PlacementReason {
  return {
    strategy: "balancer",
    location: location ?? null,
    candidates: candidates.map((c) => ({ nodeId: c.nodeId, name: c.name, score: c.score, load: c.load, healthState: c.healthState })),
    chosenNodeId: chosen,
    ...extra,
  };
}

async function reserveFrom(
  tx: Transaction,
  userId: string,
  role: AssignmentRole,
  candidates: ScoredNode[],
  skip: ReadonlySet<string | null | undefined>,
): Promise<{ node: Node; position: number } | null> {
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i];
    if (!candidate || skip.has(candidate.nodeId)) continue;
    const node = await reservePlace(tx, candidate.nodeId, userId, role);
    if (node) return { node, position: i };
  }
  return null;
}

/**
 * The pending row and its reservation for `user`, inside the caller's transaction (which holds the
 * user's lock and has checked there is no pending row). Migration uses it with its own candidates.
 */
export async function insertPending(
  deps: KeyWorkDeps,
  tx: Transaction,
  input: {
    user: PlacementUser;
    plan: ClientPlan;
    candidates: ScoredNode[];
    replaces: Assignment | null;
    reason?: Partial<PlacementReason>;
    location?: string | null;
    skipNodeId?: string | null;
    /** The node of the user's standby: the key never goes there (`reservePlace` holds to it under races too). */
    standbyNodeId?: string | null;
    /** `standby`: a standby client (services/standby), on its own places; the user's key otherwise. */
    role?: AssignmentRole;
    claimedAt: number;
  },
): Promise<Placement | null> {
  const role = input.role ?? "primary";
  const reserved = await reserveFrom(tx, input.user.id, role, input.candidates, new Set([input.skipNodeId, input.standbyNodeId]));
  if (!reserved) return null;
  const identity = newAssignmentIdentity(deps.emailPrefix ?? CLIENT_EMAIL_PREFIX, input.user.telegramId, reserved.node.id);
  const [assignment] = await tx
    .insert(assignments)
    .values({
      id: identity.assignmentId,
      userId: input.user.id,
      nodeId: reserved.node.id,
      inboundId: reserved.node.inboundId,
      clientId: identity.clientId,
      clientEmail: identity.clientEmail,
      state: "pending",
      role,
      replacesId: input.replaces?.id ?? null,
      settleBy: settleDeadline(deps),
      placementReason: placementReason(input.candidates, reserved.node.id, input.location, input.reason),
    })
    .returning();
  if (!assignment) throw new Error("assignment insert returned nothing");
  return {
    user: input.user,
    assignment,
    node: reserved.node,
    plan: input.plan,
    candidates: input.candidates,
    position: reserved.position,
    replaces: input.replaces,
    location: input.location,
    claimedAt: input.claimedAt,
  };
}

/**
 * The user's pending and active keys (primaries), whether the pending one is still owned by its
 * request, and the node of their live standby (STANDBY_ENABLED), where no key of theirs may go.
 */
export async function liveAssignmentsOf(tx: Transaction, userId: string) {
  const rows = await tx
    .select({ assignment: assignments, nodeName: nodes.name, healthState: nodes.healthState, location: nodes.location, isOwned: sql<boolean>`NOT ${isStale}` })
    .from(assignments)
    .innerJoin(nodes, eq(nodes.id, assignments.nodeId))
    .where(and(eq(assignments.userId, userId), inArray(assignments.state, ["pending", "active"])));
  const primary = (state: string) => rows.find((r) => r.assignment.state === state && r.assignment.role === "primary") ?? null;
  const standby = rows.find((r) => r.assignment.role === "standby");
  return { pending: primary("pending"), active: primary("active"), hasStandby: standby !== undefined, standbyNodeId: standby?.assignment.nodeId ?? null };
}

/**
 * Two requests for one user race here without a lock: the partial unique index on pending rows
 * lets one insert win; the other's transaction (reservation included) rolls back and it waits.
 */
export async function beginPlacement(deps: KeyDeps, input: PlacementInput, candidates: ScoredNode[]): Promise<BeginOutcome> {
  const claimedAt = Date.now();
  try {
    return await beginPlacementOnce(deps, input, candidates, claimedAt);
  } catch (error) {
    if (isUniqueViolation(error, "assignments_one_pending_per_user")) return { kind: "in-flight", settleBy: new Date(claimedAt + inFlightDeadlineMs(deps)) };
    throw error;
  }
}

/** Whether `error` (through drizzle's wrapper) is a unique violation of `constraint`. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  return isPgError(error, (e) => e.code === "23505" && e.constraint_name === constraint);
}

function isPgError(error: unknown, matches: (e: { code?: unknown; constraint_name?: unknown; column_name?: unknown }) => boolean): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (matches(current as object)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The user row a placement creates: with the location they asked for, and whether only it will do. */
function newUserRow(input: PlacementInput) {
  const location = input.location?.trim() || null;
  return {
    telegramId: input.telegramId,
    username: input.username ?? null,
    subscriptionToken: newSubscriptionToken(),
    ...input.plan,
    preferredLocation: location,
    isStrictLocation: Boolean(location && input.strictLocation),
  };
}

/** The columns of a `PlacementUser`. */
export const PLACEMENT_USER_COLUMNS = {
  id: vpnUsers.id,
  telegramId: vpnUsers.telegramId,
  username: vpnUsers.username,
  subscriptionToken: vpnUsers.subscriptionToken,
  ...PLAN_ROW_COLUMNS,
};

/**
 * A user this request creates, in one statement — one round trip, one commit instead of a
 * transaction of six and the writer's own: the reservation on the best candidate, the node's writer
 * lease when it is free (same row, same UPDATE; the caller holds the in-process queue), the user
 * row and the pending row.
 * The user row is a plain INSERT, so only a user minted by this very statement qualifies: nobody
 * can hold assignments of a user id that did not exist, and a concurrent request for the same
 * telegram id waits on the row, then finds this pending row. Null, with nothing written, when the
 * user exists after all (a unique violation rolls the reservation back with it) or the best
 * candidate filled up meanwhile (no reserved row leaves the pending row's inbound NULL, which its
 * NOT NULL refuses): the general path follows, and tries the other candidates.
 */
export async function beginNewUserPlacement(
  deps: KeyDeps,
  input: PlacementInput,
  candidates: ScoredNode[],
  lease: { owner: string; ttlMs: number },
): Promise<{ placement: Placement; fence: number | null } | null> {
  const best = candidates[0];
  if (!best) return null;
  const { db } = deps;
  const claimedAt = Date.now();
  const identity = newAssignmentIdentity(deps.emailPrefix ?? CLIENT_EMAIL_PREFIX, input.telegramId, best.nodeId);
  const reserved = db.$with("reserved").as(reservationStatement(db, best.nodeId, "primary", takeLeaseIfFree(lease.owner, lease.ttlMs)));
  const created = db.$with("created").as(
    db
      .insert(vpnUsers)
      .values(newUserRow(input))
      .returning(PLACEMENT_USER_COLUMNS),
  );
  const pending = db.$with("pending").as(
    db
      .insert(assignments)
      .values({
        id: identity.assignmentId,
        userId: sql`(SELECT id FROM ${created})`,
        nodeId: sql`(SELECT id FROM ${reserved})`,
        inboundId: sql`(SELECT inbound_id FROM ${reserved})`,
        clientId: identity.clientId,
        clientEmail: identity.clientEmail,
        state: "pending",
        role: "primary",
        settleBy: settleDeadline(deps),
        placementReason: placementReason(candidates, best.nodeId, input.location, input.nodeId ? { strategy: "manual" } : undefined),
      })
      .returning(),
  );
  let row;
  try {
    [row] = await db
      .with(reserved, created, pending)
      .select({ node: pickColumns(reserved, nodes), user: pickColumns(created, PLACEMENT_USER_COLUMNS), assignment: pickColumns(pending, assignments) })
      .from(pending)
      .crossJoin(reserved)
      .crossJoin(created);
  } catch (error) {
    if (isUniqueViolation(error, "vpn_users_telegramId_unique") || isPgError(error, (e) => e.code === "23502" && e.column_name === "inbound_id")) return null;
    throw error;
  }
  if (!row) throw new Error("new user placement returned nothing");
  const { node, user, assignment } = row as unknown as { node: Node; user: PlacementUser; assignment: Assignment };
  const placement = { user, assignment, node, plan: clientPlanFor(user, 0, (deps.clock ?? systemClock).now()), candidates, position: 0, replaces: null, location: input.location, claimedAt };
  return { placement, fence: node.mutationLeaseOwner === lease.owner ? node.mutationFence : null };
}

/** A CTE's columns named as `shape`'s keys (a table's or a selection's), for a select over it. */
function pickColumns<T extends object>(cte: T, shape: object) {
  const keys = Object.keys(shape instanceof Table ? getTableColumns(shape as Table) : shape);
  return Object.fromEntries(keys.map((key) => [key, (cte as Record<string, unknown>)[key]])) as Record<string, never>;
}

async function beginPlacementOnce(deps: KeyDeps, input: PlacementInput, candidates: ScoredNode[], claimedAt: number): Promise<BeginOutcome> {
  return deps.db.transaction(async (tx) => {
    const [user] = await tx
      .insert(vpnUsers)
      .values(newUserRow(input))
      .onConflictDoUpdate({
        target: vpnUsers.telegramId,
        set: {
          username: sql`coalesce(excluded.username, ${vpnUsers.username})`,
          // A request that names a location replaces the stored preference; one that does not keeps it.
          ...(input.location !== undefined ? { preferredLocation: sql`excluded.preferred_location`, isStrictLocation: sql`excluded.is_strict_location` } : {}),
          updatedAt: sql`now()`,
          ...(input.rotateSubscription ? newSubscriptionSet() : {}),
        },
      })
      .returning();
    if (!user) throw new Error("user upsert returned nothing");
    if (user.status !== "active") throw new AppError("FORBIDDEN", ref("error.user.disabled"));

    const { pending, active, standbyNodeId } = await liveAssignmentsOf(tx, user.id);
    if (pending) {
      return pending.isOwned
        ? ({ kind: "in-flight", settleBy: pending.assignment.settleBy ?? new Date() } as const)
        : ({ kind: "stale", pending: pending.assignment } as const);
    }
    if (input.mode === "replace-unservable" && active && active.healthState !== "unhealthy" && active.assignment.shareLink) {
      return { kind: "already-served" } as const;
    }
    if (input.actor) {
      await recordAudit(tx, input.actor, { action: "key.refresh", targetType: "vpn_user", targetId: String(input.telegramId), before: { assignmentId: active?.assignment.id ?? null } });
    }
    const placement = await insertPending(deps, tx, {
      user,
      plan: clientPlanFor(user, 0, (deps.clock ?? systemClock).now()),
      candidates,
      replaces: active?.assignment ?? null,
      location: input.location,
      reason: input.nodeId ? { strategy: "manual" } : undefined,
      standbyNodeId,
      claimedAt,
    });
    // Throwing rolls the audit row back too: nothing changed, the user keeps the key they had.
    if (!placement) throw new AppError("NO_CAPACITY", ref("error.capacity.none"));
    return { kind: "begun", placement } as const;
  });
}

/**
 * Extends this request's ownership of its pending row just before a panel call; false when the
 * row was settled by someone else meanwhile (the request must leave the panel alone).
 */
export async function renewClaim(deps: KeyWorkDeps, placement: Placement): Promise<boolean> {
  // Claimed moments ago (the usual first attempt): nobody can have found it stale yet, so no round trip.
  if (Date.now() - placement.claimedAt < inFlightDeadlineMs(deps) / 2) return true;
  const claimedAt = Date.now();
  const [row] = await deps.db
    .update(assignments)
    .set({ settleBy: settleDeadline(deps) })
    .where(
      and(
        eq(assignments.id, placement.assignment.id),
        eq(assignments.state, "pending"),
        eq(assignments.nodeId, placement.node.id),
        placement.assignment.settleBy ? eq(assignments.settleBy, placement.assignment.settleBy) : sql`${assignments.settleBy} IS NULL`,
      ),
    )
    .returning({ settleBy: assignments.settleBy });
  if (!row) return false;
  placement.assignment = { ...placement.assignment, settleBy: row.settleBy };
  placement.claimedAt = claimedAt;
  return true;
}

/**
 * Whether this request still owns its pending row: pending on the same node, with the `settle_by`
 * it set, not yet passed. After its writer lease lapsed (a stall longer than the lease), the
 * request may then try the same node again instead of waiting on its own work.
 */
export async function ownsClaim(deps: KeyWorkDeps, placement: Placement): Promise<boolean> {
  const { settleBy } = placement.assignment;
  const [row] = await deps.db
    .select({ id: assignments.id })
    .from(assignments)
    .where(
      and(
        eq(assignments.id, placement.assignment.id),
        eq(assignments.state, "pending"),
        eq(assignments.nodeId, placement.node.id),
        settleBy ? eq(assignments.settleBy, settleBy) : sql`false`,
        sql`NOT ${isStale}`,
      ),
    );
  return row !== undefined;
}

/** Ends this request's ownership early (the outcome is unknown): the next request may settle the row at once. */
export async function releaseClaim(deps: KeyWorkDeps, placement: Placement, lastError: string): Promise<void> {
  await deps.db
    .update(assignments)
    .set({ settleBy: sql`now()`, lastError, updatedAt: sql`now()` })
    .where(and(eq(assignments.id, placement.assignment.id), eq(assignments.state, "pending")));
}

/**
 * The pending row becomes the user's active key, fenced by the writer that created its client; the
 * key it replaces becomes `revoking` (deleted after this) and gives its place back. `alongside` runs
 * in the same transaction (a move marks its operation item and queues its webhook there). Null when
 * the row is no longer ours to activate (settled by someone else, or our writer was taken over).
 * The writer's lease is released by the activating statement, committed with it: a move's panel
 * work on the node is over once its row is active.
 *
 * A replaced key whose node is declared down is left for later at once (`settle_by` now), as
 * retiring it would: the panel cannot be called, and the reconciler cleans the node before it
 * takes users again.
 */
export async function activatePlacement(
  deps: KeyWorkDeps,
  writer: NodeWriter,
  placement: Pick<Placement, "assignment" | "replaces">,
  shareLink: string,
  alongside?: (tx: Transaction, active: Assignment) => Promise<void>,
): Promise<Assignment | null> {
  // Activates and releases the writer's lease, in one statement.
  const activate = (tx: Transaction | KeyWorkDeps["db"]) =>
    tx
      .with(tx.$with("released", { id: sql<string>`id` }).as(releaseLeaseSql(writer)))
      .update(assignments)
      .set({ state: "active", shareLink, activatedAt: sql`now()`, settleBy: null, lastError: null, updatedAt: sql`now()` })
      .where(and(eq(assignments.id, placement.assignment.id), eq(assignments.state, "pending"), writerHolds(writer)))
      .returning();
  // A first key touches one row: one statement, no transaction.
  if (!placement.replaces && !alongside) {
    const [active] = await activate(deps.db);
    writer.markReleased();
    return active ?? null;
  }
  try {
    const activated = await deps.db.transaction(async (tx) => {
      // The old key leaves `active` first: at most one active key per user (a partial unique index).
      const [retired] = placement.replaces
        ? await tx
            .update(assignments)
            .set({ state: "revoking", settleBy: sql`CASE WHEN ${isNodeDown} THEN now() ELSE ${settleDeadline(deps)} END`, updatedAt: sql`now()` })
            .where(and(eq(assignments.id, placement.replaces.id), eq(assignments.state, "active")))
            .returning({ nodeId: assignments.nodeId, role: assignments.role })
        : [];
      const [active] = await activate(tx);
      if (!active) throw new NotOursError();
      await alongside?.(tx, active);
      // Last: the old node's row (a dead node's, shared by every move off it) stays locked only until the commit.
      if (retired?.nodeId) await releaseReservation(tx, retired.nodeId, retired.role);
      return active;
    });
    writer.markReleased();
    return activated;
  } catch (error) {
    if (error instanceof NotOursError) return null;
    throw error;
  }
}

class NotOursError extends Error {}

/** Same pending row, next node: the in-flight marker never disappears while the request retries. */
export async function moveToNextCandidate(
  deps: KeyWorkDeps,
  placement: Placement,
  failure: string,
  alongside?: (tx: Transaction, next: Node) => Promise<void>,
): Promise<Placement | null> {
  for (let position = placement.position + 1; position < placement.candidates.length; position++) {
    const candidate = placement.candidates[position];
    if (!candidate || candidate.nodeId === placement.node.id) continue;
    const claimedAt = Date.now();
    const moved = await deps.db.transaction(async (tx) => {
      const [current] = await tx.select({ state: assignments.state }).from(assignments).where(eq(assignments.id, placement.assignment.id)).for("update");
      // Settled under us (taken over as stale): nothing to move.
      if (current?.state !== "pending") return "gone" as const;
      // Two node rows change: lock them in id order, so opposite moves queue instead of deadlocking.
      await lockNodesInOrder(tx, [placement.node.id, candidate.nodeId]);
      const next = await reservePlace(tx, candidate.nodeId, placement.user.id, placement.assignment.role);
      if (!next) return "full" as const;
      await releaseReservation(tx, placement.node.id, placement.assignment.role);
      const note = `${placement.node.name} failed (${failure}); moved to ${next.name}`;
      const [assignment] = await tx
        .update(assignments)
        .set({
          nodeId: next.id,
          inboundId: next.inboundId,
          lastError: failure,
          settleBy: settleDeadline(deps),
          placementReason: { ...placementReason(placement.candidates, next.id, placement.location), ...pickStrategy(placement.assignment.placementReason), note },
          updatedAt: sql`now()`,
        })
        .where(eq(assignments.id, placement.assignment.id))
        .returning();
      if (!assignment) throw new Error("pending assignment vanished under its row lock");
      await alongside?.(tx, next);
      return { ...placement, assignment, node: next, position, claimedAt };
    });
    if (moved === "gone") return null;
    if (moved !== "full") return moved;
  }
  return null;
}

function pickStrategy(reason: PlacementReason | null): Partial<PlacementReason> {
  return reason ? { strategy: reason.strategy } : {};
}

/** No candidate left: the pending row fails and its place is released; a replaced key stays active. */
export async function abandonPlacement(deps: KeyWorkDeps, placement: Pick<Placement, "assignment" | "node">, failure: string): Promise<boolean> {
  return failPending(deps, placement.assignment.id, failure);
}

/**
 * Fails a pending row and releases its reservation in one transaction; false when it was no longer
 * pending. `onlyIfStale`: a takeover, which must not fail a row its request still owns.
 */
export async function failPending(deps: Pick<KeyDeps, "db">, assignmentId: string, failure: string, options: { onlyIfStale?: boolean; writer?: NodeWriter } = {}): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    const [failed] = await tx
      .update(assignments)
      .set({ state: "failed", lastError: failure, settleBy: null, endedAt: sql`now()`, updatedAt: sql`now()` })
      .where(
        and(
          eq(assignments.id, assignmentId),
          eq(assignments.state, "pending"),
          options.onlyIfStale ? isStale : undefined,
          options.writer ? writerHolds(options.writer) : undefined,
        ),
      )
      .returning({ nodeId: assignments.nodeId, role: assignments.role });
    if (!failed) return false;
    if (failed.nodeId) await releaseReservation(tx, failed.nodeId, failed.role);
    return true;
  });
}
