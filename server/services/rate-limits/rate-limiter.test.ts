import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/server/db/client";
import { rowsOf } from "@/server/db/migrate";
import { rateLimitHits } from "@/server/db/schema";
import type { Clock } from "@/server/services/clock";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { createRateLimiter, decide, pruneRateLimitHits, type RateLimits } from "./rate-limiter";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test.close());

const at = (iso: string): Clock => ({ now: () => new Date(iso) });
const limits = (bot: number): RateLimits => ({
  bot: { limit: bot, windowSeconds: 60 },
  "new-key": { limit: 0, windowSeconds: 3600 },
  "sub-token": { limit: 0, windowSeconds: 60 },
  "sub-address": { limit: 0, windowSeconds: 60 },
  "sign-in-address": { limit: 0, windowSeconds: 900 },
  "sign-in-account-address": { limit: 0, windowSeconds: 900 },
});

async function outcome(promise: Promise<void>): Promise<"allowed" | number> {
  try {
    await promise;
    return "allowed";
  } catch (error) {
    expect(error).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    return (error as { retryAfterSeconds: number }).retryAfterSeconds;
  }
}

describe("decide", () => {
  const rule = { limit: 10, windowSeconds: 60 };
  it("weights the previous window by how much of it the sliding window still covers", () => {
    expect(decide(rule, 0, 10, 0)).toEqual({ allowed: true });
    expect(decide(rule, 0, 11, 0)).toEqual({ allowed: false, retryAfterSeconds: 60 });
    // Half-way through: 10 from the previous window count as 5.
    expect(decide(rule, 30_000, 5, 10)).toEqual({ allowed: true });
    // It fades enough 6 s later (previous weight 4 + 6 = 10).
    expect(decide(rule, 30_000, 6, 10)).toEqual({ allowed: false, retryAfterSeconds: 6 });
  });
});

describe("createRateLimiter", () => {
  it("lets exactly the limit through a burst spread over two replicas, and answers Retry-After", async () => {
    const clock = at("2026-03-01T10:00:10Z");
    const replicaB = await openDatabase({ url: test.url, maxConnections: 10 });
    try {
      const a = createRateLimiter({ db: test.db, clock, limits: limits(20) });
      const b = createRateLimiter({ db: replicaB.db, clock, limits: limits(20) });
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => outcome((i % 2 ? a : b).hit("bot", "token-1"))));
      expect(results.filter((r) => r === "allowed")).toHaveLength(20);
      expect(new Set(results.filter((r) => r !== "allowed"))).toEqual(new Set([50]));
    } finally {
      await replicaB.close();
    }
  });

  it("keeps keys apart, stores none in the clear, forgets on reset, and does nothing at limit 0", async () => {
    const clock = at("2026-03-01T11:00:00Z");
    const limiter = createRateLimiter({ db: test.db, clock, limits: limits(1) });
    await limiter.hit("bot", "secret-token-a");
    await limiter.hit("bot", "secret-token-b");
    expect(await outcome(limiter.hit("bot", "secret-token-a"))).not.toBe("allowed");
    expect(JSON.stringify(await test.db.select().from(rateLimitHits))).not.toContain("secret-token");
    await limiter.reset("bot", "secret-token-a");
    expect(await outcome(limiter.hit("bot", "secret-token-a"))).toBe("allowed");
    const off = createRateLimiter({ db: test.db, clock, limits: limits(0) });
    for (let i = 0; i < 5; i++) await off.hit("bot", "secret-token-a");
  });

  it("keeps its counters in an unlogged table: a hit writes no WAL on the bot's hot path", async () => {
    const [table] = rowsOf<{ relpersistence: string }>(await test.db.execute(sql`SELECT relpersistence FROM pg_class WHERE relname = 'rate_limit_hits'`));
    expect(table?.relpersistence).toBe("u");
  });

  it("prunes windows that can no longer matter", async () => {
    const limiter = createRateLimiter({ db: test.db, clock: at("2026-03-01T00:00:00Z"), limits: limits(5) });
    await limiter.hit("bot", "old");
    expect(await pruneRateLimitHits(test.db, new Date("2026-03-01T01:00:00Z"))).toBe(0);
    expect(await pruneRateLimitHits(test.db, new Date("2026-03-01T03:00:00Z"))).toBeGreaterThan(0);
  });
});
