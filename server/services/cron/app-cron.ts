/**
 * The cron entry wired to the app: database, settings (env defaults + owner overrides, re-read on
 * every run), the shared panel client factory. Used by /api/cron/health and the in-process timer.
 */
import { getDb } from "@/server/db";
import { getEnv } from "@/server/env";
import { systemClock } from "../clock";
import { getPanelClientFactory } from "../nodes/app-node-deps";
import { getSettings, settingsDefaultsFromEnv } from "../settings/settings";
import { createCronSteps } from "./cron-steps";
import { startInternalCron } from "./internal-cron";
import { runCron, type CronRunResult } from "./run-cron";

export async function runAppCron(trigger: string): Promise<CronRunResult> {
  const env = getEnv();
  const db = await getDb();
  const settings = await getSettings(db, settingsDefaultsFromEnv(env));
  const steps = createCronSteps({ panelFor: getPanelClientFactory(), settings, healthConcurrency: env.HEALTH_CONCURRENCY });
  return runCron({ db, clock: systemClock, steps, budgetMs: env.CRON_BUDGET_MS }, { trigger });
}

/** For start-up: the in-process sweep every INTERNAL_CRON_SECONDS, or nothing when it is 0. */
export function startAppInternalCron(): () => Promise<void> {
  return startInternalCron({ intervalSeconds: getEnv().INTERNAL_CRON_SECONDS, run: () => runAppCron("internal") });
}
