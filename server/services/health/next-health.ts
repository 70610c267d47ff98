/**
 * Rise/fall hysteresis (invariant 5), as a pure function so the whole transition table is tested
 * without a database or a panel.
 *
 * - ok: `rise` consecutive successes make a node healthy. A node still `unknown` (never judged)
 *   becomes healthy on its first success: there is no bad history to distrust.
 * - unreachable (timeout, refused, protocol error): counted, but the state only changes when the
 *   fall threshold is met — `fall` consecutive failures spanning at least `fallWindowMs` since the
 *   first failure of the streak — and then it becomes `unhealthy`. One failed check changes nothing.
 *   A node still `unknown` never falls: it never served, so `unhealthy` (a node that died) would be
 *   wrong, and it must not count as one in the blast-radius guard.
 * - xray_down: the panel answered but says Xray is not running, so users cannot connect. It is a
 *   failed check (counted towards `unhealthy` like any other), and because the panel itself reported
 *   it — no doubt about our own network — the node shows `degraded` until the fall threshold is met.
 * - auth: our credentials are wrong, the node may be fine: `auth_error` at once, the failure streak
 *   is cleared, and nothing ever migrates because of it.
 * - misconfigured: the panel answers but the node's inbound is missing, switched off or of a protocol
 *   we cannot issue keys on. An operator's mistake, not a failure: `misconfigured` at once, the
 *   streak is cleared (so it never counts towards unhealthy or the blast-radius guard), no new users,
 *   nothing migrates because of it.
 * - inconclusive: the panel answered without data (its status right after a start): nothing is
 *   learned, so nothing changes.
 * - holdUnhealthy (blast-radius guard): the fall threshold is treated as not met; counters advance.
 */
import type { NodeHealthState } from "@/server/db/schema";

export type CheckOutcome = "ok" | "xray_down" | "unreachable" | "auth" | "misconfigured" | "inconclusive";

export type HealthThresholds = { rise: number; fall: number; fallWindowMs: number };

export type HealthStatus = {
  state: NodeHealthState;
  consecutiveSuccesses: number;
  consecutiveFailures: number;
  failingSince: Date | null;
};

export function nextHealth(
  current: HealthStatus,
  outcome: CheckOutcome,
  thresholds: HealthThresholds,
  now: Date,
  options: { holdUnhealthy?: boolean } = {},
): HealthStatus {
  if (outcome === "inconclusive") return current;
  if (outcome === "auth" || outcome === "misconfigured") {
    return { state: outcome === "auth" ? "auth_error" : "misconfigured", consecutiveSuccesses: 0, consecutiveFailures: 0, failingSince: null };
  }
  if (outcome === "ok") {
    const successes = current.consecutiveSuccesses + 1;
    const isUp = current.state === "healthy" || current.state === "unknown" || successes >= thresholds.rise;
    return { state: isUp ? "healthy" : current.state, consecutiveSuccesses: successes, consecutiveFailures: 0, failingSince: null };
  }
  const failures = current.consecutiveFailures + 1;
  const failingSince = current.failingSince ?? now;
  const hasFallen =
    current.state !== "unknown" && !options.holdUnhealthy && failures >= thresholds.fall && now.getTime() - failingSince.getTime() >= thresholds.fallWindowMs;
  const state: NodeHealthState =
    hasFallen || current.state === "unhealthy" ? "unhealthy" : outcome === "xray_down" ? "degraded" : current.state;
  return { state, consecutiveSuccesses: 0, consecutiveFailures: failures, failingSince };
}
