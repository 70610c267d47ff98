/**
 * A standby for one user (STANDBY_ENABLED): a second client of theirs on another node, chosen by
 * the balancer among nodes with standby places left (counted apart from `max_users`), never the
 * primary's node (keys/capacity.ts `reservePlace` holds to it under races), preferably another
 * location. The subscription lists it after the primary, so the app falls back to it by itself.
 *
 * The same steps as a key placement (keys/place-key.ts): under the user's lock a standby place is
 * reserved and a `pending` standby row inserted (one pending standby per user, a partial unique
 * index), then the panel call under the node's writer and the activation fenced by it; a failing
 * node hands the row to the next candidate. A crash or an unknown outcome leaves a pending row that
 * the reconciler or the user's next request settles, like any placement.
 */
import { eq } from "drizzle-orm";
import { vpnUsers } from "@/server/db/schema";
import { isAppError } from "@/server/errors";
import { rankStandbyFleet } from "@/server/services/balancer/rank-fleet";
import { systemClock } from "@/server/services/clock";
import { clientPlanFor, PLAN_ROW_COLUMNS } from "@/server/services/keys/client-plan";
import type { KeyDeps } from "@/server/services/keys/key-deps";
import { runAttempts } from "@/server/services/keys/place-key";
import { insertPending, isUniqueViolation, liveAssignmentsOf, lockUser, type Placement } from "@/server/services/keys/placement";
import { retireStandby } from "./retire-standby";

export type StandbyOutcome = "placed" | "not-needed" | "no-room" | "failed";

/** Reserves a standby place on the best candidate with room and records the pending row. */
async function begin(deps: KeyDeps, userId: string): Promise<Placement | Exclude<StandbyOutcome, "placed" | "failed">> {
  const claimedAt = Date.now();
  return deps.db.transaction(async (tx) => {
    const [user] = await tx
      .select({ id: vpnUsers.id, telegramId: vpnUsers.telegramId, username: vpnUsers.username, subscriptionToken: vpnUsers.subscriptionToken, ...PLAN_ROW_COLUMNS })
      .from(vpnUsers)
      .where(eq(vpnUsers.id, userId));
    if (!user || user.status !== "active") return "not-needed";
    await lockUser(tx, user.telegramId);
    const { pending, active, hasStandby } = await liveAssignmentsOf(tx, userId);
    // A key being placed or moved first settles where the user is; the next pass looks again.
    if (pending || !active?.assignment.nodeId || hasStandby) return "not-needed";
    const location = active.assignment.placementReason?.location ?? null;
    const candidates = await rankStandbyFleet(deps.db, { nodeId: active.assignment.nodeId, location: active.location });
    const placement = await insertPending(deps, tx, {
      user,
      plan: clientPlanFor(user, 0, (deps.clock ?? systemClock).now()),
      candidates,
      replaces: null,
      location,
      skipNodeId: active.assignment.nodeId,
      role: "standby",
      reason: { note: "standby" },
      claimedAt,
    });
    return placement ?? "no-room";
  });
}

export async function placeStandby(deps: KeyDeps, userId: string): Promise<StandbyOutcome> {
  let begun: Awaited<ReturnType<typeof begin>>;
  try {
    begun = await begin(deps, userId);
  } catch (error) {
    // Another pass began this user's standby at the same moment: it is theirs.
    if (isUniqueViolation(error, "assignments_one_pending_per_user")) return "not-needed";
    throw error;
  }
  if (typeof begun === "string") return begun;
  try {
    const result = await runAttempts(deps, begun);
    if (!result) return "not-needed";
    // A revoke that came while the standby was being placed left it alone (it was not active yet): give it up now.
    if (await retireStandby(deps, result.assignment, { onlyIfKeyless: true })) return "not-needed";
    return "placed";
  } catch (error) {
    // Every candidate failed (the row is failed and its place released), or the outcome is unknown
    // (the row stays pending for whoever settles it): the next pass tries again either way.
    if (isAppError(error)) return "failed";
    throw error;
  }
}
