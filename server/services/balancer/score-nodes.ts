/**
 * The balancer's pure half: which nodes may take a new user, and in what order. No I/O, so the
 * scoring table and the tie-breaks are tested exhaustively without a database.
 *
 * score = (reserved / max) / ((priority / 100) × weight) — lower is better. A node at priority 200
 * looks half as loaded as it is; weight scales the same way. Ties break by name, then id, so two
 * replicas ranking the same rows always agree.
 */
import type { NodeAdminState, NodeHealthState } from "@/server/db/schema";

/** The columns of a node the balancer reads. */
export type NodeLoad = {
  id: string;
  name: string;
  location: string | null;
  maxUsers: number;
  reservedCount: number;
  priority: number;
  weight: number;
  adminState: NodeAdminState;
  healthState: NodeHealthState;
  needsReconcile: boolean;
  /** The inbound's protocol as last checked; null before the first check. */
  inboundProtocol: string | null;
};

export type PlacementPreference = {
  /** Preferred location; compared case-insensitively. */
  location?: string | null;
  /** Only nodes in `location` qualify; without it other locations are the fallback. */
  strictLocation?: boolean;
  /**
   * The protocol of the key being moved: only nodes whose inbound speaks it qualify, so a move never
   * changes a key's scheme (a VLESS link stays VLESS). A node whose protocol is not known yet is
   * the fallback.
   */
  protocol?: string | null;
};

export type ScoredNode = {
  nodeId: string;
  name: string;
  location: string | null;
  healthState: NodeHealthState;
  /** reserved / max, 0..1 */
  load: number;
  score: number;
  isPreferredLocation: boolean;
  /** The node's protocol is the wanted one (not just unknown). */
  isSameProtocol: boolean;
};

export type Ranking = {
  /** Best first. Empty when nothing eligible has room. */
  candidates: ScoredNode[];
  /** Whether the list had to fall back to degraded nodes because no healthy node had room. */
  usedDegraded: boolean;
  /**
   * A strict location no node is in (whatever its state), with the locations nodes are in: asking
   * again will not help, where "no candidates" alone may be a full or unhealthy location.
   */
  missingLocation: { location: string; known: string[] } | null;
};

export function scoreNode(node: Pick<NodeLoad, "maxUsers" | "reservedCount" | "priority" | "weight">): number {
  const load = node.maxUsers > 0 ? node.reservedCount / node.maxUsers : 1;
  return load / ((node.priority / 100) * node.weight);
}

/** Taking new users: enabled, not draining, cleaned by the reconciler, room left. Health is judged by the caller. */
function canTakeUsers(node: NodeLoad): boolean {
  return node.adminState === "active" && !node.needsReconcile && node.reservedCount < node.maxUsers;
}

function sameLocation(a: string | null, b: string | null | undefined): boolean {
  return a !== null && b != null && a.toLowerCase() === b.toLowerCase();
}

function compare(a: ScoredNode, b: ScoredNode): number {
  if (a.isPreferredLocation !== b.isPreferredLocation) return a.isPreferredLocation ? -1 : 1;
  if (a.isSameProtocol !== b.isSameProtocol) return a.isSameProtocol ? -1 : 1;
  if (a.score !== b.score) return a.score - b.score;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0;
}

export function rankNodes(nodes: readonly NodeLoad[], preference: PlacementPreference = {}): Ranking {
  const wanted = preference.location?.trim() || null;
  const protocol = preference.protocol?.toLowerCase() || null;
  const open = nodes.filter(
    (n) =>
      canTakeUsers(n) &&
      (!wanted || !preference.strictLocation || sameLocation(n.location, wanted)) &&
      (!protocol || n.inboundProtocol === null || n.inboundProtocol.toLowerCase() === protocol),
  );
  const healthy = open.filter((n) => n.healthState === "healthy");
  // Degraded nodes serve only when no healthy node has room anywhere the user may go.
  const usedDegraded = healthy.length === 0;
  const tier = usedDegraded ? open.filter((n) => n.healthState === "degraded") : healthy;
  const candidates = tier
    .map((n): ScoredNode => ({
      nodeId: n.id,
      name: n.name,
      location: n.location,
      healthState: n.healthState,
      load: n.maxUsers > 0 ? n.reservedCount / n.maxUsers : 1,
      score: scoreNode(n),
      isPreferredLocation: wanted !== null && sameLocation(n.location, wanted),
      isSameProtocol: protocol !== null && n.inboundProtocol?.toLowerCase() === protocol,
    }))
    .sort(compare);
  const isMissing = wanted !== null && preference.strictLocation === true && !nodes.some((n) => sameLocation(n.location, wanted));
  const known = [...new Set(nodes.flatMap((n) => (n.location ? [n.location] : [])))].sort();
  return { candidates, usedDegraded: usedDegraded && candidates.length > 0, missingLocation: isMissing ? { location: wanted, known } : null };
}
