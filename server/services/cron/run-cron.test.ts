import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cronRuns } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import type { Clock } from "../clock";
import { startInternalCron, type Scheduler } from "./internal-cron";
import { runCron } from "./run-cron";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test?.close());

/** A clock that moves only when told to. */
function steppedClock(startMs = Date.parse("2026-01-01T00:00:00Z")): Clock & { advance(ms: number): void } {
  let now = startMs;
  return { now: () => new Date(now), advance: (ms) => void (now += ms) };
}

describe("runCron", () => {
  it("gives each step the budget left minus what later steps reserve, survives a failing step, records the run", async () => {
    const clock = steppedClock();
    const budgets: Record<string, number> = {};
    const result = await runCron(
      {
        db: test.db,
        clock,
        budgetMs: 10_000,
        steps: [
          { name: "first", run: async ({ budgetMs }) => ((budgets.first = budgetMs), clock.advance(2_500)) },
          { name: "broken", reserveMs: 1_000, run: async () => Promise.reject(new Error("internal detail")) },
          { name: "last", reserveMs: 3_000, run: async ({ budgetMs }) => (budgets.last = budgetMs) },
        ],
      },
      { trigger: "test" },
    );
    // 10 s less the 4 s the later steps reserve; then 10 s less the 2.5 s spent, nothing reserved after it.
    expect(budgets).toEqual({ first: 6_000, last: 7_500 });
    expect(result.steps.map((s) => [s.name, s.status, s.durationMs])).toEqual([
      ["first", "ok", 2_500],
      ["broken", "failed", 0],
      ["last", "ok", 0],
    ]);
    expect(result.durationMs).toBe(2_500);
    expect(JSON.stringify(result)).not.toContain("internal detail");
    const [run] = await test.db.select().from(cronRuns).where(eq(cronRuns.id, result.runId));
    expect(run).toMatchObject({ trigger: "test", startedAt: new Date("2026-01-01T00:00:00Z"), finishedAt: new Date("2026-01-01T00:00:02.500Z") });
  });

  it("gives a step its minimum over the later steps' reserves, never more than the budget left", async () => {
    const clock = steppedClock();
    const budgets: Record<string, number> = {};
    await runCron(
      {
        db: test.db,
        clock,
        budgetMs: 10_000,
        steps: [
          { name: "sweep", minimumMs: 6_000, run: async ({ budgetMs }) => ((budgets.sweep = budgetMs), clock.advance(9_000)) },
          { name: "late", reserveMs: 8_000, minimumMs: 5_000, run: async ({ budgetMs }) => (budgets.late = budgetMs) },
        ],
      },
      { trigger: "test" },
    );
    // 10 s less the 8 s reserved would leave 2 s: the sweep gets its 6 s; the late step only the 1 s left.
    expect(budgets).toEqual({ sweep: 6_000, late: 1_000 });
  });

  it("skips the steps that no budget is left for", async () => {
    const clock = steppedClock();
    const ran: string[] = [];
    const result = await runCron(
      {
        db: test.db,
        clock,
        budgetMs: 1_000,
        steps: [
          { name: "slow", run: async () => (ran.push("slow"), clock.advance(1_100)) },
          { name: "late", run: async () => ran.push("late") },
        ],
      },
      { trigger: "test" },
    );
    expect(ran).toEqual(["slow"]);
    expect(result.steps[1]).toEqual({ name: "late", status: "skipped", durationMs: 0, reason: "the cron budget was used up" });
  });
});

/** Timers that fire only when the test says so, in order of due time. */
function manualScheduler(): Scheduler & { pending(): number[]; fireNext(): void; advance(ms: number): void } {
  let now = 0;
  const timers: { at: number; fn: () => void; isDone: boolean }[] = [];
  const live = () => timers.filter((t) => !t.isDone).sort((a, b) => a.at - b.at);
  return {
    now: () => now,
    schedule(fn, delayMs) {
      const timer = { at: now + delayMs, fn, isDone: false };
      timers.push(timer);
      return () => void (timer.isDone = true);
    },
    pending: () => live().map((t) => t.at),
    advance: (ms) => void (now += ms),
    fireNext() {
      const next = live()[0];
      if (!next) throw new Error("no timer pending");
      now = Math.max(now, next.at);
      next.isDone = true;
      next.fn();
    },
  };
}

/** A run the test finishes by hand. */
function controlledRuns() {
  const finishers: (() => void)[] = [];
  return {
    started: () => finishers.length,
    run: () => new Promise<void>((resolve) => finishers.push(resolve)),
    async finish(index: number) {
      finishers[index]!();
      // Let the scheduler's then/finally callbacks run.
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe("startInternalCron", () => {
  it("runs one interval after start, never overlaps itself, and keeps the interval from run start to run start", async () => {
    const scheduler = manualScheduler();
    const runs = controlledRuns();
    const stop = startInternalCron({ intervalSeconds: 30, run: runs.run, scheduler });
    expect(scheduler.pending()).toEqual([30_000]);

    scheduler.fireNext();
    expect(runs.started()).toBe(1);
    // While a run is in progress nothing else is scheduled, however long it takes.
    expect(scheduler.pending()).toEqual([]);
    scheduler.advance(10_000);
    await runs.finish(0);
    expect(scheduler.pending()).toEqual([60_000]);

    scheduler.fireNext();
    scheduler.advance(45_000);
    await runs.finish(1);
    // A run longer than the interval is followed at once.
    expect(scheduler.pending()).toEqual([105_000]);
    await stop();
  });

  it("stops: cancels the next run and waits for the one in progress", async () => {
    const scheduler = manualScheduler();
    const runs = controlledRuns();
    const stop = startInternalCron({ intervalSeconds: 30, run: runs.run, scheduler });
    scheduler.fireNext();
    let isStopped = false;
    const stopping = stop().then(() => (isStopped = true));
    await new Promise((r) => setImmediate(r));
    expect(isStopped).toBe(false);
    await runs.finish(0);
    await stopping;
    expect(isStopped).toBe(true);
    expect(scheduler.pending()).toEqual([]);
    expect(runs.started()).toBe(1);
  });

  it("keeps going after a failed run, and does nothing at an interval of 0", async () => {
    const scheduler = manualScheduler();
    let calls = 0;
    const stop = startInternalCron({ intervalSeconds: 30, run: async () => ((calls += 1), Promise.reject(new Error("sweep failed"))), scheduler });
    scheduler.fireNext();
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(1);
    expect(scheduler.pending()).toEqual([60_000]);
    await stop();

    const idle = manualScheduler();
    await startInternalCron({ intervalSeconds: 0, run: async () => (calls += 1), scheduler: idle })();
    expect(idle.pending()).toEqual([]);
  });
});
