/**
 * Pure planning over current loads, no I/O: "what if this node dies now?" and the rebalance plan.
 * Both place users one at a time with the balancer's own ranking (rankNodes), adding each placed
 * user to the target's load before ranking the next — the order failover would fill nodes in.
 */
import { rankNodes, scoreNode, type NodeLoad, type PlacementPreference } from "@/server/services/balancer/score-nodes";

/** A user with what their moves must honour: their location (strict or not) and their key's protocol (balancer/user-preference.ts). */
export type MovableUser = { userId: string; telegramId: number; preference: PlacementPreference };

export type PlannedMove = { userId: string; telegramId: number; fromNodeId: string; toNodeId: string };

export type NodeLossSimulation = {
  nodeId: string;
  users: number;
  /** Where the users would go, by target. */
  byTarget: { nodeId: string; name: string; users: number; loadAfter: number }[];
  moves: PlannedMove[];
  /** Users no node could take. */
  unplaced: { userId: string; telegramId: number }[];
};

export function simulateNodeLoss(loads: readonly NodeLoad[], deadNodeId: string, users: readonly MovableUser[]): NodeLossSimulation {
  const fleet = loads.map((n) => (n.id === deadNodeId ? { ...n, healthState: "unhealthy" as const } : { ...n }));
  const byId = new Map(fleet.map((n) => [n.id, n]));
  const moves: PlannedMove[] = [];
  const unplaced: NodeLossSimulation["unplaced"] = [];
  for (const user of users) {
    const best = rankNodes(fleet, user.preference).candidates[0];
    const target = best ? byId.get(best.nodeId) : undefined;
    if (!target) {
      unplaced.push({ userId: user.userId, telegramId: user.telegramId });
      continue;
    }
    target.reservedCount++;
    moves.push({ userId: user.userId, telegramId: user.telegramId, fromNodeId: deadNodeId, toNodeId: target.id });
  }
  const counts = new Map<string, number>();
  for (const m of moves) counts.set(m.toNodeId, (counts.get(m.toNodeId) ?? 0) + 1);
  const byTarget = [...counts].map(([nodeId, n]) => {
    const node = byId.get(nodeId) as NodeLoad;
    return { nodeId, name: node.name, users: n, loadAfter: node.maxUsers > 0 ? node.reservedCount / node.maxUsers : 1 };
  });
  return { nodeId: deadNodeId, users: users.length, byTarget: byTarget.sort((a, b) => b.users - a.users), moves, unplaced };
}

export type RebalancePlan = {
  moves: PlannedMove[];
  /** Score per node before and after the plan (lower is better; the spread is what shrinks). */
  nodes: { nodeId: string; name: string; scoreBefore: number; scoreAfter: number; usersBefore: number; usersAfter: number }[];
};

/**
 * Moves from the most loaded node (by the balancer's score) to the balancer's candidate that is
 * least loaded after the move, one user at a time, while the move narrows the gap by more than
 * `minGap` and the cap is not reached. Only healthy, active nodes give users away: unhealthy
 * ones are failover's, draining ones drain's. A user moves only where they may go — their strict
 * location, their key's protocol — so the source gives away the first user the target suits.
 */
export function planRebalance(
  loads: readonly NodeLoad[],
  usersByNode: ReadonlyMap<string, readonly MovableUser[]>,
  options: { maxMoves: number; minGap?: number },
): RebalancePlan {
  const minGap = options.minGap ?? 0.05;
  const fleet = loads.map((n) => ({ ...n }));
  const byId = new Map(fleet.map((n) => [n.id, n]));
  const remaining = new Map([...usersByNode].map(([id, users]) => [id, [...users]]));
  const moves: PlannedMove[] = [];
  while (moves.length < options.maxMoves) {
    const sources = fleet
      .filter((n) => n.adminState === "active" && n.healthState === "healthy" && (remaining.get(n.id)?.length ?? 0) > 0)
      .sort((a, b) => scoreNode(b) - scoreNode(a) || (a.name < b.name ? -1 : 1));
    const source = sources[0];
    if (!source) break;
    // Among the nodes the balancer would place this user on, the one least loaded after taking them
    // (a small node at score 0 may be worse off with one more than a big one at 0.1).
    const afterMove = (n: NodeLoad) => scoreNode({ ...n, reservedCount: n.reservedCount + 1 });
    const sourceAfter = scoreNode({ ...source, reservedCount: source.reservedCount - 1 });
    const others = fleet.filter((n) => n.id !== source.id);
    const queue = remaining.get(source.id) ?? [];
    let target: NodeLoad | undefined;
    let index = -1;
    for (const [i, candidate] of queue.entries()) {
      let best: NodeLoad | undefined;
      for (const c of rankNodes(others, candidate.preference).candidates) {
        const node = byId.get(c.nodeId);
        if (node && (!best || afterMove(node) < afterMove(best))) best = node;
      }
      // Stop when the move would no longer leave the target below the source (no ping-pong), or gains too little.
      if (best && afterMove(best) <= sourceAfter && scoreNode(source) - scoreNode(best) >= minGap) {
        target = best;
        index = i;
        break;
      }
    }
    if (!target) {
      remaining.set(source.id, []);
      continue;
    }
    const [user] = queue.splice(index, 1);
    if (!user) break;
    source.reservedCount--;
    target.reservedCount++;
    moves.push({ userId: user.userId, telegramId: user.telegramId, fromNodeId: source.id, toNodeId: target.id });
  }
  const before = new Map(loads.map((n) => [n.id, n]));
  return {
    moves,
    nodes: fleet.map((n) => {
      const was = before.get(n.id) as NodeLoad;
      return { nodeId: n.id, name: n.name, scoreBefore: scoreNode(was), scoreAfter: scoreNode(n), usersBefore: was.reservedCount, usersAfter: n.reservedCount };
    }),
  };
}
