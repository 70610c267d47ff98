import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cronRuns } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { systemClock } from "../clock";
import { startInternalCron } from "./internal-cron";
import { runCron } from "./run-cron";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test?.close());

describe("runCron", () => {
  it("gives each step the budget left minus what later steps reserve, survives a failing step, records the run", async () => {
    const budgets: Record<string, number> = {};
    const result = await runCron(
      {
        db: test.db,
        clock: systemClock,
        budgetMs: 10_000,
        steps: [
          { name: "first", run: async ({ budgetMs }) => (budgets.first = budgetMs) },
          { name: "broken", reserveMs: 1_000, run: async () => Promise.reject(new Error("internal detail")) },
          { name: "last", reserveMs: 3_000, run: async ({ budgetMs }) => (budgets.last = budgetMs) },
        ],
      },
      { trigger: "test" },
    );
    expect(budgets.first).toBeLessThanOrEqual(6_000);
    expect(budgets.first).toBeGreaterThan(5_000);
    expect(budgets.last).toBeGreaterThan(9_000);
    expect(result.steps.map((s) => s.status)).toEqual(["ok", "failed", "ok"]);
    expect(JSON.stringify(result)).not.toContain("internal detail");
    const [run] = await test.db.select().from(cronRuns).where(eq(cronRuns.id, result.runId));
    expect(run).toMatchObject({ trigger: "test", finishedAt: expect.any(Date) });
  });

  it("skips a step when the budget is used up", async () => {
    const result = await runCron(
      {
        db: test.db,
        clock: systemClock,
        budgetMs: 1_000,
        steps: [
          { name: "slow", run: () => new Promise((r) => setTimeout(r, 1_100)) },
          { name: "late", run: async () => "ran" },
        ],
      },
      { trigger: "test" },
    );
    expect(result.steps[1]).toMatchObject({ name: "late", status: "skipped" });
  });
});

describe("startInternalCron", () => {
  it("runs every interval without overlapping itself and stops cleanly", async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const stop = startInternalCron({
      intervalSeconds: 0.05,
      run: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 80));
        running--;
        runs++;
      },
    });
    await new Promise((r) => setTimeout(r, 400));
    await stop();
    const after = runs;
    await new Promise((r) => setTimeout(r, 150));
    expect(after).toBeGreaterThanOrEqual(3);
    expect(runs).toBe(after);
    expect(maxRunning).toBe(1);
  });
});
