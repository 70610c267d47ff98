/**
 * Rate limits that hold across replicas, kept in PostgreSQL (no other server): a sliding-window
 * counter per (scope, key). Each hit is one statement — an upsert that adds the hit to the current
 * window and returns it with the previous window's count — so concurrent hits can never both pass
 * on a stale read. The estimate weights the previous window by how much of it still overlaps the
 * sliding window: `previous × (1 − elapsed) + current`. A refused hit still counts, so hammering
 * keeps a caller refused. Keys are hashed: no token or address is stored in the clear.
 *
 * Limits come from the env (server/env.ts, README "Configuration"); a limit of 0 turns its scope off.
 */
import { createHash } from "node:crypto";
import { lt, sql } from "drizzle-orm";
import { rowsOf } from "@/server/db/migrate";
import type { Database } from "@/server/db/client";
import { rateLimitHits } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import type { Clock } from "@/server/services/clock";
import type { CronStep } from "@/server/services/cron/run-cron";

export const RATE_LIMIT_SCOPES = ["bot", "new-key", "sub-token", "sub-address", "sign-in-address", "sign-in-account-address"] as const;
export type RateLimitScope = (typeof RATE_LIMIT_SCOPES)[number];

/** At most `limit` hits per `windowSeconds`; `limit` 0 means no limit. */
export type RateLimit = { limit: number; windowSeconds: number };
export type RateLimits = Record<RateLimitScope, RateLimit>;

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export type RateLimiter = {
  /** Counts one hit; throws TOO_MANY_REQUESTS (429, with Retry-After) when the scope's limit is passed. */
  hit(scope: RateLimitScope, key: string): Promise<void>;
  /** Forgets a key's hits (a successful sign-in clears its failures). */
  reset(scope: RateLimitScope, key: string): Promise<void>;
};

export type RateLimiterDeps = { db: Database; clock: Clock; limits: RateLimits; onRefused?: (scope: RateLimitScope) => void };

const MESSAGES: Record<RateLimitScope, string> = {
  bot: "Too many requests with this bot token. Slow down.",
  "new-key": "Too many new keys for this user. Try again later.",
  "sub-token": "Too many requests for this subscription. Try again later.",
  "sub-address": "Too many requests from this address. Try again later.",
  "sign-in-address": "Too many sign-in attempts from this address. Try again later.",
  "sign-in-account-address": "Too many failed sign-ins for this account from this address. Try again later.",
};

function bucketOf(scope: RateLimitScope, key: string): string {
  return `${scope}:${createHash("sha256").update(key).digest("base64url").slice(0, 32)}`;
}

/** The decision for a hit that made the current window `current` and left `previous` in the one before. */
export function decide(rule: RateLimit, nowMs: number, current: number, previous: number): RateLimitDecision {
  const windowMs = rule.windowSeconds * 1000;
  const elapsed = (nowMs % windowMs) / windowMs;
  const estimate = previous * (1 - elapsed) + current;
  if (estimate <= rule.limit) return { allowed: true };
  // When the previous window's weight has faded enough; past the current window's end at the latest.
  const untilWindowEnd = (1 - elapsed) * windowMs;
  const fadeFraction = previous > 0 && current <= rule.limit ? 1 - (rule.limit - current) / previous : 1;
  const waitMs = Math.min(untilWindowEnd, Math.max(0, fadeFraction - elapsed) * windowMs);
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((waitMs > 0 ? waitMs : untilWindowEnd) / 1000)) };
}

export function createRateLimiter(deps: RateLimiterDeps): RateLimiter {
  return {
    async hit(scope, key) {
      const rule = deps.limits[scope];
      if (rule.limit <= 0) return;
      const nowMs = deps.clock.now().getTime();
      const windowMs = rule.windowSeconds * 1000;
      const windowStart = new Date(nowMs - (nowMs % windowMs));
      const previousStart = new Date(windowStart.getTime() - windowMs);
      const bucket = bucketOf(scope, key);
      const rows = await deps.db.execute(sql`
        WITH hit AS (
          INSERT INTO ${rateLimitHits} (bucket, window_start, hits) VALUES (${bucket}, ${windowStart.toISOString()}::timestamptz, 1)
          ON CONFLICT (bucket, window_start) DO UPDATE SET hits = ${rateLimitHits.hits} + 1
          RETURNING hits
        )
        SELECT hit.hits AS current,
               COALESCE((SELECT hits FROM ${rateLimitHits} WHERE bucket = ${bucket} AND window_start = ${previousStart.toISOString()}::timestamptz), 0) AS previous
        FROM hit`);
      const [row] = rowsOf<{ current: number; previous: number }>(rows);
      const decision = decide(rule, nowMs, Number(row?.current ?? 1), Number(row?.previous ?? 0));
      if (!decision.allowed) {
        deps.onRefused?.(scope);
        throw new AppError("TOO_MANY_REQUESTS", MESSAGES[scope], { retryAfterSeconds: decision.retryAfterSeconds });
      }
    },
    async reset(scope, key) {
      await deps.db.delete(rateLimitHits).where(sql`${rateLimitHits.bucket} = ${bucketOf(scope, key)}`);
    },
  };
}

/** The longest window is an hour: counters older than two of them can no longer matter. */
const KEEP_SECONDS = 2 * 3600;

export async function pruneRateLimitHits(db: Database, now: Date): Promise<number> {
  const removed = await db
    .delete(rateLimitHits)
    .where(lt(rateLimitHits.windowStart, new Date(now.getTime() - KEEP_SECONDS * 1000)))
    .returning({ bucket: rateLimitHits.bucket });
  return removed.length;
}

/**
 * Reserves none of the cron budget: a prune the run has no room left for waits for the next run,
 * and must never shorten the health sweep's share.
 */
export const rateLimitsCronStep: CronStep = {
  name: "rate-limits",
  run: async ({ db, clock }) => ({ pruned: await pruneRateLimitHits(db, clock.now()) }),
};
