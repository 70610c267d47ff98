/**
 * The balancer's database half: read every node's load once and rank it. Reading is advisory
 * only — the reservation that makes a placement real is the conditional UPDATE in
 * keys/place-key.ts, which re-checks everything here against the row it locks (invariant 1).
 */
import type { Database } from "@/server/db/client";
import { nodes } from "@/server/db/schema";
import { rankNodes, type NodeLoad, type PlacementPreference, type Ranking } from "./score-nodes";

/** Every node's load and eligibility, as the balancer and the move planners read it. */
export async function readNodeLoads(db: Database): Promise<NodeLoad[]> {
  return db
    .select({
      id: nodes.id,
      name: nodes.name,
      location: nodes.location,
      maxUsers: nodes.maxUsers,
      reservedCount: nodes.reservedCount,
      priority: nodes.priority,
      weight: nodes.weight,
      adminState: nodes.adminState,
      healthState: nodes.healthState,
      needsReconcile: nodes.needsReconcile,
    })
    .from(nodes);
}

export async function rankFleet(db: Database, preference: PlacementPreference = {}): Promise<Ranking> {
  return rankNodes(await readNodeLoads(db), preference);
}
