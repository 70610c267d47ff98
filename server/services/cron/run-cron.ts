/**
 * The cron entry shared by the HTTP route and the in-process timer. It records a cron_runs row,
 * then runs an ordered list of steps inside one time budget (CRON_BUDGET_MS). Each step is handed
 * the time that is left minus what the steps after it reserve (`reserveMs`), so an early step such
 * as the health sweep cannot starve later ones — but never less than the step's own `minimumMs`
 * while the budget has it: with every later step's reserve added up, the health sweep was left less
 * than one panel timeout and checked no node at all. A failing step is logged and recorded; the
 * next one still runs.
 *
 * Time is read from the clock collaborator, so a test can step through a budget instead of waiting.
 *
 * Every step must be safe to run concurrently with itself (two pings, two replicas): the steps
 * coordinate through claims in the database, not through this function.
 */
import { eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { cronRuns } from "@/server/db/schema";
import { logger } from "@/server/logger";
import type { Clock } from "../clock";

export type CronStepContext = {
  db: Database;
  clock: Clock;
  /** "http", "internal", … — who started this run. */
  trigger: string;
  /** Milliseconds this step may use. */
  budgetMs: number;
};

export type CronStep = {
  name: string;
  /** Time kept for this step out of the budget of the steps before it. */
  reserveMs?: number;
  /** The least time this step can do anything with; later steps' reserves give way to it. */
  minimumMs?: number;
  run: (context: CronStepContext) => Promise<unknown>;
};

export type CronStepOutcome =
  | { name: string; status: "ok"; durationMs: number; result: unknown }
  | { name: string; status: "failed"; durationMs: number; error: string }
  | { name: string; status: "skipped"; durationMs: 0; reason: string };

export type CronRunResult = { runId: number; trigger: string; durationMs: number; steps: CronStepOutcome[] };

export type CronDeps = { db: Database; clock: Clock; steps: CronStep[]; budgetMs: number };

export async function runCron(deps: CronDeps, input: { trigger: string }): Promise<CronRunResult> {
  const elapsedSince = (start: number) => deps.clock.now().getTime() - start;
  const started = deps.clock.now().getTime();
  const [run] = await deps.db.insert(cronRuns).values({ trigger: input.trigger, startedAt: new Date(started) }).returning({ id: cronRuns.id });
  const runId = run!.id;
  const outcomes: CronStepOutcome[] = [];
  for (const [index, step] of deps.steps.entries()) {
    const reservedAfter = deps.steps.slice(index + 1).reduce((sum, s) => sum + (s.reserveMs ?? 0), 0);
    const left = deps.budgetMs - elapsedSince(started);
    const budgetMs = Math.floor(Math.max(left - reservedAfter, Math.min(step.minimumMs ?? 0, left)));
    if (budgetMs <= 0) {
      outcomes.push({ name: step.name, status: "skipped", durationMs: 0, reason: "the cron budget was used up" });
      continue;
    }
    const stepStarted = deps.clock.now().getTime();
    try {
      const result = await step.run({ db: deps.db, clock: deps.clock, trigger: input.trigger, budgetMs });
      outcomes.push({ name: step.name, status: "ok", durationMs: Math.round(elapsedSince(stepStarted)), result });
    } catch (error) {
      logger.error("cron step failed", { step: step.name, runId, error });
      outcomes.push({ name: step.name, status: "failed", durationMs: Math.round(elapsedSince(stepStarted)), error: "step failed; see the server log" });
    }
  }
  const durationMs = Math.round(elapsedSince(started));
  await deps.db
    .update(cronRuns)
    .set({ finishedAt: deps.clock.now(), summary: { durationMs, steps: outcomes } })
    .where(eq(cronRuns.id, runId));
  return { runId, trigger: input.trigger, durationMs, steps: outcomes };
}
