/**
 * DELETE /api/bot/keys/{telegramId} and the admin's revoke: the assignment leaves `active`, releases
 * its place and the user gets a new subscription URL (the old one answers 404) in one transaction,
 * then its client is taken off the panel — deleted, or switched off where the panel refuses the
 * delete (v2 keeps an inbound's last client), so a revoked key never carries traffic (invariant 10).
 * If the panel cannot be reached the row stays `revoking` and the reconciler (or a repeated revoke)
 * finishes it: revoking is idempotent.
 */
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { assignments, nodes, vpnUsers, type Assignment } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import type { NodeLabel } from "@/server/metrics/fleet-metrics";
import type { Actor } from "@/server/services/actor";
import { recordAudit } from "@/server/services/audit/record-audit";
import { inFlight } from "./await-in-flight";
import { releaseReservation } from "./capacity";
import { replaceSubscriptionToken } from "./rotate-subscription";
import type { KeyDeps } from "./key-deps";
import { keyPending } from "./place-key";
import { isStale, lockUser, settleDeadline } from "./placement";
import { retireAssignment } from "./retire-assignment";
import { settlePending } from "./settle-in-flight";

export type RevokeResult = {
  telegramId: number;
  revoked: true;
  /** The client is gone from its panel. */
  removedFromPanel: boolean;
  /** The panel refused the delete: the client is switched off there (no traffic) and deleted later. */
  disabledOnPanel: boolean;
};

/**
 * `standbys`: the user's standby, and old ones kept for apps that had not re-fetched, retired with the key (a revoked user keeps no way in).
 * `node`: the key's node, for the metrics (null when the node has been removed).
 */
type Begun = { retire: Assignment; node: NodeLabel | null; standbys?: Assignment[] } | { stale: Assignment };

function nodeOf(row: { assignment: Assignment; nodeName: string | null }): NodeLabel | null {
  return row.assignment.nodeId && row.nodeName !== null ? { id: row.assignment.nodeId, name: row.nodeName } : null;
}

async function beginRevoke(deps: KeyDeps, input: { telegramId: number; actor?: Actor }): Promise<Begun> {
  return deps.db.transaction(async (tx) => {
    await lockUser(tx, input.telegramId);
    const rows = await tx
      .select({ assignment: assignments, isStale: sql<boolean>`${isStale}`, nodeName: nodes.name })
      .from(assignments)
      .innerJoin(vpnUsers, eq(vpnUsers.id, assignments.userId))
      .leftJoin(nodes, eq(nodes.id, assignments.nodeId))
      .where(and(eq(vpnUsers.telegramId, input.telegramId), inArray(assignments.state, ["pending", "active", "revoking"])))
      .orderBy(desc(assignments.updatedAt));
    const pending = rows.find((r) => r.assignment.state === "pending" && r.assignment.role === "primary");
    if (pending) {
      if (!pending.isStale) throw inFlight(pending.assignment.settleBy);
      return { stale: pending.assignment };
    }
    const active = rows.find((r) => r.assignment.state === "active" && r.assignment.role === "primary");
    if (!active) {
      // A revoke that did not finish (its request died, or the panel was unreachable): finish it now.
      const unfinished = rows.find((r) => r.assignment.state === "revoking" && r.assignment.role === "primary");
      if (!unfinished) throw new AppError("NOT_FOUND", ref("error.user.noKey"));
      if (!unfinished.isStale) throw inFlight(unfinished.assignment.settleBy);
      return { retire: unfinished.assignment, node: nodeOf(unfinished) };
    }
    const [revoking] = await tx
      .update(assignments)
      .set({ state: "revoking", settleBy: settleDeadline(deps), updatedAt: sql`now()` })
      .where(eq(assignments.id, active.assignment.id))
      .returning();
    if (!revoking) throw new Error("active assignment vanished under the user's lock");
    if (revoking.nodeId) await releaseReservation(tx, revoking.nodeId);
    // A standby still being placed is given up by its placement, which finds no key beside it.
    // Old standbys still kept on their panels after a move (standby/even-out-standbys.ts) go now too.
    const standbyIds = rows.filter((r) => r.assignment.role === "standby" && (r.assignment.state === "active" || (r.assignment.state === "revoking" && !r.isStale))).map((r) => r.assignment.id);
    const standbys =
      standbyIds.length > 0
        ? await tx
            .update(assignments)
            .set({ state: "revoking", settleBy: settleDeadline(deps), updatedAt: sql`now()` })
            .where(inArray(assignments.id, standbyIds))
            .returning()
        : [];
    const liveStandby = rows.find((r) => r.assignment.state === "active" && r.assignment.role === "standby");
    if (liveStandby?.assignment.nodeId) await releaseReservation(tx, liveStandby.assignment.nodeId, "standby");
    await replaceSubscriptionToken(tx, revoking.userId);
    // An admin's revoke is audited with the change it describes (invariant 9).
    if (input.actor) {
      await recordAudit(tx, input.actor, { action: "key.revoke", targetType: "vpn_user", targetId: String(input.telegramId), before: { assignmentId: revoking.id, nodeId: revoking.nodeId } });
    }
    return { retire: revoking, node: nodeOf(active), standbys };
  });
}

export async function revokeKey(deps: KeyDeps, input: { telegramId: number; actor?: Actor }): Promise<RevokeResult> {
  let begun = await beginRevoke(deps, input);
  // A placement a crashed request left behind is settled first: revoke what it became.
  for (let round = 0; "stale" in begun; round++) {
    const settled = await settlePending(deps, begun.stale);
    if (settled.kind === "unknown") throw keyPending(settled.retryAfterMs);
    if (round >= 2) throw inFlight(null);
    begun = await beginRevoke(deps, input);
  }
  deps.metrics?.keyRevoked(begun.node);
  await deps.steps?.("retire.marked", { assignmentId: begun.retire.id });
  const outcome = await retireAssignment(deps, begun.retire);
  for (const standby of begun.standbys ?? []) await retireAssignment(deps, standby);
  return {
    telegramId: input.telegramId,
    revoked: true,
    removedFromPanel: outcome === "deleted" || outcome === "absent",
    disabledOnPanel: outcome === "disabled",
  };
}
