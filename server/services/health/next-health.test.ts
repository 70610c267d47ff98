import { describe, expect, it } from "vitest";
import type { NodeHealthState } from "@/server/db/schema";
import { nextHealth, type CheckOutcome, type HealthStatus } from "./next-health";

const T = { rise: 2, fall: 3, fallWindowMs: 90_000 };
const t0 = new Date("2026-01-01T00:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function status(state: NodeHealthState, successes = 0, failures = 0, failingSinceSeconds: number | null = null): HealthStatus {
  return {
    state,
    consecutiveSuccesses: successes,
    consecutiveFailures: failures,
    failingSince: failingSinceSeconds === null ? null : at(failingSinceSeconds),
  };
}

describe("nextHealth transition table", () => {
  // [from, outcome, now (s), hold, expected state]
  const table: [HealthStatus, CheckOutcome, number, boolean, NodeHealthState][] = [
    [status("unknown"), "ok", 0, false, "healthy"],
    [status("unknown"), "unreachable", 0, false, "unknown"],
    [status("unknown", 0, 9, 0), "unreachable", 600, false, "unknown"], // never verified: never "died"
    [status("unknown"), "xray_down", 0, false, "degraded"],
    [status("unknown"), "auth", 0, false, "auth_error"],
    [status("healthy", 5), "ok", 0, false, "healthy"],
    [status("healthy", 5), "unreachable", 0, false, "healthy"], // one failure changes nothing
    [status("healthy", 0, 1, 0), "unreachable", 30, false, "healthy"],
    [status("healthy", 0, 2, 0), "unreachable", 60, false, "healthy"], // 3 failures but only 60 s
    [status("healthy", 0, 3, 0), "unreachable", 90, false, "unhealthy"], // 4 failures over 90 s
    [status("healthy", 0, 2, 0), "unreachable", 90, false, "unhealthy"], // 3 failures over 90 s
    [status("healthy", 0, 2, 0), "unreachable", 90, true, "healthy"], // held by the blast-radius guard
    [status("healthy", 0, 2, 0), "xray_down", 90, false, "unhealthy"],
    [status("healthy", 0, 2, 0), "xray_down", 90, true, "degraded"],
    [status("healthy", 5), "xray_down", 0, false, "degraded"],
    [status("healthy", 5), "auth", 0, false, "auth_error"],
    [status("degraded", 0, 1, 0), "ok", 30, false, "degraded"], // rise needs two
    [status("degraded", 1), "ok", 30, false, "healthy"],
    [status("unhealthy", 0, 9, 0), "unreachable", 600, false, "unhealthy"],
    [status("unhealthy", 0, 9, 0), "unreachable", 600, true, "unhealthy"],
    [status("unhealthy", 0, 9, 0), "ok", 600, false, "unhealthy"],
    [status("unhealthy", 1), "ok", 600, false, "healthy"],
    [status("unhealthy", 0, 9, 0), "xray_down", 600, false, "unhealthy"],
    [status("unhealthy", 0, 9, 0), "auth", 600, false, "auth_error"],
    [status("auth_error"), "ok", 0, false, "auth_error"],
    [status("auth_error", 1), "ok", 0, false, "healthy"],
    [status("auth_error"), "auth", 0, false, "auth_error"],
    [status("auth_error"), "unreachable", 0, false, "auth_error"],
    [status("auth_error", 0, 2, 0), "unreachable", 90, false, "unhealthy"],
    // An inbound that is missing, off or of another protocol: misconfigured at once, from any state.
    [status("unknown"), "misconfigured", 0, false, "misconfigured"],
    [status("healthy", 5), "misconfigured", 0, false, "misconfigured"],
    [status("healthy", 0, 2, 0), "misconfigured", 90, false, "misconfigured"],
    [status("unhealthy", 0, 9, 0), "misconfigured", 600, false, "misconfigured"],
    [status("misconfigured"), "ok", 0, false, "misconfigured"],
    [status("misconfigured", 1), "ok", 30, false, "healthy"],
    [status("misconfigured"), "unreachable", 0, false, "misconfigured"],
  ];

  it.each(table)("%o + %s at %ss (hold %s) → %s", (from, outcome, seconds, hold, expected) => {
    expect(nextHealth(from, outcome, T, at(seconds), { holdUnhealthy: hold }).state).toBe(expected);
  });

  it("clears the failure streak on a misconfiguration: it is not a network failure", () => {
    expect(nextHealth(status("healthy", 0, 2, 0), "misconfigured", T, at(60))).toEqual(status("misconfigured", 0, 0, null));
  });

  it("counts a streak from its first failure and resets it on success or auth error", () => {
    const first = nextHealth(status("healthy", 4), "unreachable", T, at(10));
    expect(first).toEqual(status("healthy", 0, 1, 10));
    const second = nextHealth(first, "unreachable", T, at(40));
    expect(second).toEqual(status("healthy", 0, 2, 10));
    expect(nextHealth(second, "ok", T, at(70))).toEqual(status("healthy", 1, 0, null));
    expect(nextHealth(second, "auth", T, at(70))).toEqual(status("auth_error", 0, 0, null));
  });

  it("an inconclusive check (a panel still starting) changes nothing: no success, no failure", () => {
    for (const from of [status("healthy", 0, 2, 0), status("degraded", 1), status("unhealthy", 0, 9, 0), status("unknown")]) {
      expect(nextHealth(from, "inconclusive", T, at(600))).toEqual(from);
    }
  });

  it("a held sweep still advances the counters, so the next sweep can decide", () => {
    const held = nextHealth(status("healthy", 0, 2, 0), "unreachable", T, at(90), { holdUnhealthy: true });
    expect(held).toEqual(status("healthy", 0, 3, 0));
    expect(nextHealth(held, "unreachable", T, at(120)).state).toBe("unhealthy");
  });

  it("honours other thresholds", () => {
    const quick = { rise: 1, fall: 1, fallWindowMs: 0 };
    expect(nextHealth(status("healthy"), "unreachable", quick, at(0)).state).toBe("unhealthy");
    expect(nextHealth(status("unhealthy", 0, 3, 0), "ok", quick, at(0)).state).toBe("healthy");
  });
});
