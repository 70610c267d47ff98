/** What the traffic pass needs: the plan services' collaborators (it suspends users it finds over quota) and its pacing. */
import type { PlanDeps } from "@/server/services/plans/plan-deps";

export type TrafficDeps = PlanDeps & {
  /** A node's counters are read again once this long has passed (TRAFFIC_INTERVAL_SECONDS). */
  intervalMs: number;
  /** Nodes read at once. */
  concurrency: number;
  /** The panel request timeout: no node is started with less than this left in the budget. */
  timeoutMs: number;
};
