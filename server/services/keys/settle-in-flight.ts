/**
 * Invariant 12 — nobody stranded. Work a request left in flight — a `pending` placement or a
 * `revoking` retirement whose `settle_by` has passed (the request crashed, lost its database, or
 * ended with an unknown outcome) — is settled by whoever comes next: the user's next request, the
 * reconciler, the failover step. One procedure for all of them:
 *
 * - pending on a node declared down (or gone, or disabled): the row fails and its place is
 *   released; the user is placed again elsewhere (a client left on that panel is removed by the
 *   reconciler before the node takes users again);
 * - pending on a node in an outlier cool-off: left alone — its outcome cannot be read now, and the
 *   user is never created elsewhere while it is unknown ("unknown");
 * - pending elsewhere: under the node's writer, the client is read back by email: there → the row
 *   is activated (and the key it replaced retired), as its request would have; not there → failed
 *   and released, to be placed again; the read-back failing too → "unknown";
 * - revoking: the retirement is finished (retire-assignment.ts).
 *
 * Every write is conditional on the row still being stale and in the state read, and fenced by the
 * writer, so two settlers, or a settler and a slow original request, never both act.
 */
import { and, eq, getTableColumns, inArray, ne, or, sql } from "drizzle-orm";
import { assignments, nodes, type Assignment } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { isClientIntact, panelSecretFor } from "./client-identity";
import { loadClientPlans, planPatch, UNLIMITED_PLAN } from "./client-plan";
import type { KeyWorkDeps } from "./key-deps";
import { readNodeInbound, shareLinkFor } from "./node-client";
import { withNodeWriter } from "./node-writer";
import { ejectNode, isNodeFailure } from "./outlier-ejection";
import { activatePlacement, failPending, isStale } from "./placement";
import { retireAssignment } from "./retire-assignment";

export type SettleOutcome =
  /** The client was there: the pending row is the user's active key now. */
  | { kind: "activated"; assignment: Assignment }
  /** The placement did not happen (or its node is down): failed and released; place again. */
  | { kind: "failed" }
  /** Its node cannot tell now: leave it, and create the user nowhere else meanwhile. */
  | { kind: "unknown"; retryAfterMs: number }
  /** Someone else settled it, or its request still owns it. */
  | { kind: "unchanged" };

const UNKNOWN_RETRY_MS = 5_000;

function msUntil(at: Date | null): number {
  return at ? Math.max(0, at.getTime() - Date.now()) : 0;
}

export async function settlePending(deps: KeyWorkDeps, pending: Pick<Assignment, "id" | "nodeId">): Promise<SettleOutcome> {
  const outcome = await settleOnNode(deps, pending);
  // An activated rotation replaced a key: take that one off its panel, as the request would have.
  if (outcome.kind === "activated" && outcome.assignment.replacesId) {
    const [replaced] = await deps.db.select().from(assignments).where(and(eq(assignments.id, outcome.assignment.replacesId), eq(assignments.state, "revoking")));
    if (replaced) await retireAssignment(deps, replaced);
  }
  return outcome;
}

async function settleOnNode(deps: KeyWorkDeps, pending: Pick<Assignment, "id" | "nodeId">): Promise<SettleOutcome> {
  const [node] = pending.nodeId ? await deps.db.select().from(nodes).where(eq(nodes.id, pending.nodeId)) : [];
  if (!node || node.healthState === "unhealthy" || node.adminState === "disabled") {
    const failed = await failPending(deps, pending.id, node ? `${node.name} is ${node.healthState === "unhealthy" ? "down" : "disabled"}; placed again` : "its node was removed", { onlyIfStale: true });
    return failed ? { kind: "failed" } : { kind: "unchanged" };
  }
  if (node.ejectedUntil && node.ejectedUntil.getTime() > Date.now()) return { kind: "unknown", retryAfterMs: msUntil(node.ejectedUntil) };
  try {
    return await withNodeWriter(deps, node.id, async (writer) => {
      const [row] = await deps.db
        .select({ assignment: assignments, isStale: sql<boolean>`${isStale}` })
        .from(assignments)
        .where(eq(assignments.id, pending.id));
      if (!row || row.assignment.state !== "pending" || !row.isStale || row.assignment.nodeId !== node.id) return { kind: "unchanged" } as const;
      const current = row.assignment;
      const inbound = await readNodeInbound(deps.panelFor, node, current.inboundId);
      writer.assertHeld();
      const client = await deps.panelFor(node).getClient(current.inboundId, current.clientEmail);
      if (!client) {
        const failed = await failPending(deps, current.id, `${node.name}: the client was not created; placed again`, { onlyIfStale: true, writer });
        return failed ? ({ kind: "failed" } as const) : ({ kind: "unchanged" } as const);
      }
      const plan = (await loadClientPlans(deps.db, [current.id], deps.clock?.now() ?? new Date())).get(current.id) ?? UNLIMITED_PLAN;
      if (!isClientIntact(inbound, current, client, plan)) {
        // Ours by its email but with another secret or plan: repaired, as the request itself would have.
        writer.assertHeld();
        await deps.panelFor(node).updateClient(current.inboundId, current.clientEmail, { ...panelSecretFor(inbound, current), ...planPatch(plan) });
      }
      const replaces = current.replacesId ? ((await deps.db.select().from(assignments).where(eq(assignments.id, current.replacesId)))[0] ?? null) : null;
      const activated = await activatePlacement(deps, writer, { assignment: current, replaces }, shareLinkFor(node, inbound, current));
      return activated ? ({ kind: "activated", assignment: activated } as const) : ({ kind: "unchanged" } as const);
    });
  } catch (error) {
    if (!isNodeFailure(error)) throw error;
    await ejectNode(deps.db, node.id, deps.ejection);
    logger.warn("a stale placement could not be read back; it stays pending", { assignmentId: pending.id, nodeId: node.id, error });
    return { kind: "unknown", retryAfterMs: UNKNOWN_RETRY_MS };
  }
}

/**
 * Settles everything of one user that its requests left stale. Returns how the pending placement
 * (if any) ended, so the caller knows whether to place again or to answer "retry later".
 */
export async function settleUserWork(deps: KeyWorkDeps, userId: string): Promise<SettleOutcome | null> {
  const stale = await deps.db
    .select()
    .from(assignments)
    .where(and(eq(assignments.userId, userId), inArray(assignments.state, ["pending", "revoking"]), isStale));
  const pending = stale.find((a) => a.state === "pending" && a.role === "primary");
  const outcome = pending ? await settlePending(deps, pending) : null;
  // A standby's placement left stale is settled too; how it ended is the standby pass's business.
  for (const row of stale.filter((a) => a.state === "pending" && a.role === "standby")) await settlePending(deps, row);
  for (const row of stale.filter((a) => a.state === "revoking")) await retireAssignment(deps, row);
  return outcome;
}

/**
 * Retirements whose requests are gone (a crash after a refresh or a move was activated, a revoke
 * that could not reach its panel): finished now, wherever the node can be reached. Those on a node
 * declared down (or removed) are not even read: retiring them would only leave them for later
 * again, and after a failover there are as many of them as users moved, on every ping.
 */
export async function settleStaleRetirements(deps: KeyWorkDeps): Promise<number> {
  const stale = await deps.db
    .select(getTableColumns(assignments))
    .from(assignments)
    .innerJoin(nodes, eq(nodes.id, assignments.nodeId))
    .where(and(eq(assignments.state, "revoking"), isStale, ne(nodes.healthState, "unhealthy")));
  let settled = 0;
  // Nobody waits on this (the cron runs it): a node in an outlier cool-off is tried all the same.
  for (const row of stale) if ((await retireAssignment(deps, row, { evenIfEjected: true })) !== "pending") settled++;
  return settled;
}

/**
 * Pending placements on nodes declared down whose requests are gone: failed and released, so the
 * user is placed elsewhere (a first key is placed again by `placeAgain`; a rotation's old key stays
 * the user's, and failover moves it). For the failover step.
 */
export async function settleStrandedOnDeadNodes(deps: KeyWorkDeps, placeAgain: (userId: string) => Promise<void>): Promise<number> {
  const stranded = await deps.db
    .select({ id: assignments.id, nodeId: assignments.nodeId, userId: assignments.userId, replacesId: assignments.replacesId, role: assignments.role })
    .from(assignments)
    .innerJoin(nodes, eq(nodes.id, assignments.nodeId))
    .where(and(eq(assignments.state, "pending"), isStale, or(eq(nodes.healthState, "unhealthy"), eq(nodes.adminState, "disabled"))));
  let settled = 0;
  for (const row of stranded) {
    const outcome = await settlePending(deps, row);
    if (outcome.kind !== "failed") continue;
    settled++;
    // A standby is placed again by the standby pass, not as the user's key.
    if (!row.replacesId && row.role === "primary") await placeAgain(row.userId);
  }
  return settled;
}

