/**
 * What a change of a node's service state will do, for the confirmation an admin reads before it
 * happens ("22 users will move to fra-1 (12) and ams-2 (10)"). Writes nothing.
 *
 * - drain: the users on the node and where the balancer would put them, in the order failover and
 *   drain fill nodes (plan-moves.ts, the same plan as "what if this node dies"), and who fits nowhere;
 * - disable: the users who stay on the node, unmoved, while it is neither checked nor served;
 * - enable / return to service: the open drain or failover that stops (how many moved, how many
 *   stay) and whether the node waits for the reconciler before it takes new users.
 */
import { and, count, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/server/db/client";
import { assignments, operations, type Node, type Operation } from "@/server/db/schema";
import { findNodeOrThrow } from "@/server/services/nodes/list-nodes";
import { EVACUATION_KINDS } from "./evacuation";
import { whatIfNodeDies } from "./fleet-plans";

export const NODE_CHANGES = ["drain", "disable", "enable", "returnToService"] as const;

export const previewNodeChangeInputSchema = z.object({ nodeId: z.uuid(), change: z.enum(NODE_CHANGES) });

export type NodeChangePreview = {
  change: (typeof NODE_CHANGES)[number];
  node: { id: string; name: string; adminState: Node["adminState"]; healthState: Node["healthState"]; needsReconcile: boolean; maxUsers: number };
  /** Users holding a live key on the node now. */
  users: number;
  /** For a drain: where they would go (busiest target first) and how many fit nowhere. */
  moves: { byTarget: { nodeId: string; name: string; users: number; loadAfter: number }[]; unplaced: number } | null;
  /** The drain or failover moving users off the node now, which enabling or returning it stops (its users left stay). */
  openEvacuation: { id: string; kind: Operation["kind"]; total: number; moved: number } | null;
};

export async function previewNodeChange(db: Database, input: z.input<typeof previewNodeChangeInputSchema>): Promise<NodeChangePreview> {
  const { nodeId, change } = previewNodeChangeInputSchema.parse(input);
  const node = await findNodeOrThrow(db, nodeId);
  const [live] = await db
    .select({ n: count() })
    .from(assignments)
    .where(and(eq(assignments.nodeId, nodeId), eq(assignments.state, "active"), eq(assignments.role, "primary")));
  const [open] = await db
    .select({ id: operations.id, kind: operations.kind, total: operations.total, moved: operations.succeeded })
    .from(operations)
    .where(and(eq(operations.nodeId, nodeId), inArray(operations.kind, [...EVACUATION_KINDS]), inArray(operations.status, ["pending", "running"])))
    .limit(1);
  const simulation = change === "drain" ? await whatIfNodeDies(db, { nodeId }) : null;
  return {
    change,
    node: { id: node.id, name: node.name, adminState: node.adminState, healthState: node.healthState, needsReconcile: node.needsReconcile, maxUsers: node.maxUsers },
    users: live?.n ?? 0,
    moves: simulation ? { byTarget: simulation.byTarget, unplaced: simulation.unplaced.length } : null,
    openEvacuation: open ?? null,
  };
}
