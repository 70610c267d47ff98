/**
 * One node's share of a traffic pass: read every client counter of the node's inbounds with one
 * call per inbound (x3ui listClientTraffic), hand our clients' readings to the ledger, and suspend
 * at once whoever they took over their fleet-wide limit (switched off on every node).
 *
 * A node that cannot be read loses nothing: panel counters are cumulative, so the next successful
 * read — an hour later or after a restart — carries everything counted meanwhile. Its failure is
 * returned, not logged: the pass logs only when a node starts failing or recovers (run-traffic-pass.ts).
 */
import { and, eq, inArray } from "drizzle-orm";
import { assignments, type Node } from "@/server/db/schema";
import { applyReadings, type ApplyResult } from "@/server/services/ledger/apply-readings";
import { enforcePlans } from "@/server/services/plans/enforce-plans";
import { isPanelError } from "@/server/x3ui/types";
import type { TrafficDeps } from "./traffic-deps";

export type NodeTrafficOutcome =
  | ({ nodeId: string; ok: true; readings: number; suspended: number } & Omit<ApplyResult, "overQuota">)
  /** `error` is what node_traffic_reads.last_error keeps; `cause` is what was thrown, for the log. */
  | { nodeId: string; ok: false; error: string; cause: unknown };

export async function readNodeTraffic(deps: TrafficDeps, node: Node): Promise<NodeTrafficOutcome> {
  // Clients stay on the inbound they were created on, also after an admin points the node at another one.
  const held = await deps.db
    .selectDistinct({ inboundId: assignments.inboundId })
    .from(assignments)
    .where(and(eq(assignments.nodeId, node.id), inArray(assignments.state, ["pending", "active", "revoking"])));
  const inboundIds = [...new Set([node.inboundId, ...held.map((h) => h.inboundId)])];
  let rows;
  try {
    rows = await deps.panelFor(node).listClientTraffic(inboundIds);
  } catch (error) {
    return { nodeId: node.id, ok: false, error: isPanelError(error) ? `panel ${error.kind}` : "read failed", cause: error };
  }
  // The ledger counts only clients an assignment of this node names: ours, issued or adopted.
  const readings = rows.map((r) => ({ inboundId: r.inboundId, email: r.email, up: r.up, down: r.down }));
  const { overQuota, ...applied } = await applyReadings(deps.db, { nodeId: node.id, at: deps.clock.now(), readings });
  const suspended = overQuota.length > 0 ? (await enforcePlans(deps, { userIds: overQuota })).suspended : 0;
  return { nodeId: node.id, ok: true, readings: readings.length, suspended, ...applied };
}
