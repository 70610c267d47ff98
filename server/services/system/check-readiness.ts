/**
 * Whether this replica should get traffic (GET /api/health/ready, polled by the load balancer): the
 * database answers within READINESS_TIMEOUT_MS and has recorded the newest migration in drizzle/.
 * A replica whose migrations are not applied yet, or a database restored from an older dump and not
 * migrated, is not ready. Liveness (/api/health/live) is a separate answer that never touches the
 * database: an outage of the database must not get healthy processes restarted.
 */
import type { Database } from "@/server/db/client";
import { lastAppliedMigration, latestMigration } from "@/server/db/migrate";
import { AppError } from "@/server/errors";
import { DeadlineError, withDeadline } from "../deadline";

export const READINESS_TIMEOUT_MS = 2_000;
const RETRY_AFTER_SECONDS = 5;

export type Readiness = { status: "ready"; database: { latencyMs: number }; migrations: { latest: number; applied: number } };

export async function checkReadiness(deps: { db: Database }, options: { timeoutMs?: number; migrationsFolder?: string } = {}): Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? READINESS_TIMEOUT_MS;
  const latest = latestMigration(options.migrationsFolder);
  const started = performance.now();
  let applied: number | null;
  try {
    applied = await withDeadline(lastAppliedMigration(deps.db), timeoutMs);
  } catch (error) {
    const why = error instanceof DeadlineError ? `did not answer within ${timeoutMs} ms` : "is not reachable";
    throw new AppError("UNAVAILABLE", `Not ready: the database ${why}.`, { cause: error, retryAfterSeconds: RETRY_AFTER_SECONDS });
  }
  const latencyMs = Math.round(performance.now() - started);
  if (applied === null || applied < latest) {
    throw new AppError("UNAVAILABLE", `Not ready: the database has not recorded the newest migration (${latest}); it has ${applied ?? "none"}.`, { retryAfterSeconds: RETRY_AFTER_SECONDS });
  }
  return { status: "ready", database: { latencyMs }, migrations: { latest, applied } };
}
