import { desc, sql } from "drizzle-orm";
import { nodes } from "@/server/db/schema";
import type { StatsDeps } from "./stats-deps";

/** Bars beyond this stop being readable at laptop width; the busiest nodes are the ones to watch. */
const NODE_LOAD_LIMIT = 24;

export type NodeLoad = {
  /** `{node, users, capacity}` per node, busiest first, as NodeLoadChart draws them. */
  nodes: { nodeId: string; node: string; users: number; capacity: number }[];
  /** How many nodes exist in all, so the chart can say "24 busiest of 1,000". */
  totalNodes: number;
};

/** Users against capacity for the busiest nodes (by share of capacity in use), from `nodes` alone. */
export async function getNodeLoad(deps: Pick<StatsDeps, "db">): Promise<NodeLoad> {
  const load = sql`${nodes.reservedCount}::float8 / greatest(${nodes.maxUsers}, 1)`;
  const rows = await deps.db
    .select({
      nodeId: nodes.id,
      node: nodes.name,
      users: nodes.reservedCount,
      capacity: nodes.maxUsers,
      totalNodes: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(nodes)
    .where(sql`${nodes.adminState} <> 'disabled'`)
    .orderBy(desc(load), desc(nodes.reservedCount), nodes.name)
    .limit(NODE_LOAD_LIMIT);
  return { nodes: rows.map(({ totalNodes: _total, ...row }) => row), totalNodes: rows[0]?.totalNodes ?? 0 };
}
