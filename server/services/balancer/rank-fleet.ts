/**
 * The balancer's database half: read every node's load once and rank it. Reading is advisory
 * only — the reservation that makes a placement real is the conditional UPDATE in
 * keys/capacity.ts, which re-checks everything here against the row it locks (invariant 1).
 */
import { sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { nodes } from "@/server/db/schema";
import { rankNodes, type NodeLoad, type PlacementPreference, type Ranking, type ScoredNode } from "./score-nodes";

/**
 * Every node's load and eligibility, as the balancer and the move planners read it. `standby` reads
 * the standby places instead of the users' (counted apart, STANDBY_ENABLED), so one ranking serves both.
 */
export async function readNodeLoads(db: Database, places: "primary" | "standby" = "primary"): Promise<(NodeLoad & { ejectedForMs: number })[]> {
  const isStandby = places === "standby";
  return db
    .select({
      id: nodes.id,
      name: nodes.name,
      location: nodes.location,
      maxUsers: isStandby ? nodes.standbyMaxUsers : nodes.maxUsers,
      reservedCount: isStandby ? nodes.standbyReservedCount : nodes.reservedCount,
      priority: nodes.priority,
      weight: nodes.weight,
      adminState: nodes.adminState,
      healthState: nodes.healthState,
      needsReconcile: nodes.needsReconcile,
      inboundProtocol: nodes.inboundProtocol,
      ejectedForMs: sql<number>`coalesce(greatest(0, extract(epoch from ${nodes.ejectedUntil} - now()) * 1000), 0)::float8`,
    })
    .from(nodes);
}

/**
 * Candidates for a new placement, best first. Nodes in an outlier cool-off (keys/outlier-ejection.ts)
 * are left out; when they were all that could take the user, `retryAfterMs` says when the first
 * of them is back.
 */
export async function rankFleet(db: Database, preference: PlacementPreference = {}): Promise<Ranking & { retryAfterMs: number | null }> {
  const loads = await readNodeLoads(db);
  const ranking = rankNodes(
    loads.filter((n) => n.ejectedForMs === 0),
    preference,
  );
  if (ranking.candidates.length > 0) return { ...ranking, retryAfterMs: null };
  const ejected = new Map(loads.filter((n) => n.ejectedForMs > 0).map((n) => [n.id, n.ejectedForMs]));
  const waits = rankNodes(loads.filter((n) => ejected.has(n.id)), preference).candidates.map((c) => ejected.get(c.nodeId) ?? 0);
  // Whether a strict location exists at all is a question about every node, cooling off or not.
  const { missingLocation } = rankNodes(loads, preference);
  return { ...ranking, missingLocation, retryAfterMs: waits.length > 0 ? Math.min(...waits) : null };
}

/**
 * Where a user's standby may go: never the primary's node, preferably another location than the
 * primary's (one outage less likely to take both), then the balancer's order by standby load.
 */
export async function rankStandbyFleet(db: Database, primary: { nodeId: string; location: string | null }): Promise<ScoredNode[]> {
  const loads = (await readNodeLoads(db, "standby")).filter((n) => n.id !== primary.nodeId && n.ejectedForMs === 0);
  const { candidates } = rankNodes(loads);
  const elsewhere = (c: ScoredNode) => (primary.location !== null && c.location?.toLowerCase() === primary.location.toLowerCase() ? 1 : 0);
  return candidates.sort((a, b) => elsewhere(a) - elsewhere(b));
}
