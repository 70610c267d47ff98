import { desc, sql } from "drizzle-orm";
import { nodes } from "@/server/db/schema";
import type { StatsDeps } from "./stats-deps";

/**
 * Rows a horizontal bar chart keeps readable in a card; the rest of a larger fleet is one
 * "others" bar, so 50 or 1,000 nodes still add up to the fleet's users and capacity.
 */
export const NODE_LOAD_LIMIT = 15;

type LoadRow = { nodeId: string; node: string; users: number; capacity: number };
type Fleet = { nodes: number; users: number; capacity: number };

export type NodeLoad = {
  /** `{node, users, capacity}` per node, busiest first, as NodeLoadChart draws them. */
  nodes: LoadRow[];
  /** Every other enabled node added up; null when every node is shown. */
  others: Fleet | null;
  /** How many enabled nodes exist in all. */
  totalNodes: number;
};

/** The busiest `rows` (already sorted and cut to the limit) and the fleet's totals, as shown nodes plus "others". */
export function groupNodeLoad(rows: readonly LoadRow[], fleet: Fleet): NodeLoad {
  const shown = rows.reduce((sum, row) => ({ users: sum.users + row.users, capacity: sum.capacity + row.capacity }), { users: 0, capacity: 0 });
  const rest = fleet.nodes - rows.length;
  return {
    nodes: [...rows],
    others: rest > 0 ? { nodes: rest, users: fleet.users - shown.users, capacity: fleet.capacity - shown.capacity } : null,
    totalNodes: fleet.nodes,
  };
}

/** Users against capacity for the busiest enabled nodes (by share of capacity in use) and the rest as one group, from `nodes` alone. */
export async function getNodeLoad(deps: Pick<StatsDeps, "db">): Promise<NodeLoad> {
  const load = sql`${nodes.reservedCount}::float8 / greatest(${nodes.maxUsers}, 1)`;
  const rows = await deps.db
    .select({
      nodeId: nodes.id,
      node: nodes.name,
      users: nodes.reservedCount,
      capacity: nodes.maxUsers,
      fleetNodes: sql<number>`count(*) over ()`.mapWith(Number),
      fleetUsers: sql<number>`sum(${nodes.reservedCount}) over ()`.mapWith(Number),
      fleetCapacity: sql<number>`sum(${nodes.maxUsers}) over ()`.mapWith(Number),
    })
    .from(nodes)
    .where(sql`${nodes.adminState} <> 'disabled'`)
    .orderBy(desc(load), desc(nodes.reservedCount), nodes.name)
    .limit(NODE_LOAD_LIMIT);
  const first = rows[0];
  return groupNodeLoad(
    rows.map(({ nodeId, node, users, capacity }) => ({ nodeId, node, users, capacity })),
    { nodes: first?.fleetNodes ?? 0, users: first?.fleetUsers ?? 0, capacity: first?.fleetCapacity ?? 0 },
  );
}
