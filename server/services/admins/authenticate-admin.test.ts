import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseKeyRing } from "@/server/crypto/secret-box";
import { admins } from "@/server/db/schema";
import type { Clock } from "@/server/services/clock";
import { createRateLimiter, type RateLimits } from "@/server/services/rate-limits/rate-limiter";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { accountDelayMs, authenticateAdmin, FAILURES_BEFORE_DELAY, MAX_ACCOUNT_DELAY_MS } from "./authenticate-admin";
import { createAdmin } from "./manage-admins";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test.close());

const at = (iso: string): Clock => ({ now: () => new Date(iso) });
const LIMITS: RateLimits = {
  bot: { limit: 0, windowSeconds: 60 },
  "new-key": { limit: 0, windowSeconds: 3600 },
  "sub-token": { limit: 0, windowSeconds: 60 },
  "sub-address": { limit: 0, windowSeconds: 60 },
  "sign-in-address": { limit: 10, windowSeconds: 900 },
  "sign-in-account-address": { limit: 5, windowSeconds: 900 },
};

/** Deps with a pinned clock; `pauses` records the per-account delays instead of sleeping them. */
function deps(clock: Clock = at("2026-03-01T10:00:00Z")) {
  const pauses: number[] = [];
  return {
    db: test.db,
    clock,
    keyRing: parseKeyRing(`t1:${randomBytes(32).toString("base64")}`),
    rateLimiter: createRateLimiter({ db: test.db, clock, limits: LIMITS }),
    pause: async (ms: number) => void pauses.push(ms),
    pauses,
  };
}

describe("authenticateAdmin", () => {
  it("accepts the right password case-insensitively on the username, refuses a wrong one", async () => {
    await createAdmin({ db: test.db }, null, { username: "Alice", password: "correct-password-1", role: "admin" });
    const ok = await authenticateAdmin(deps(), { username: "alice", password: "correct-password-1", ip: "10.0.0.1" });
    expect(ok.ok).toBe(true);
    const bad = await authenticateAdmin(deps(), { username: "alice", password: "wrong-password-1", ip: "10.0.0.1" });
    expect(bad).toEqual({ ok: false, reason: "invalid" });
  });

  it("answers an unknown username exactly like a wrong password", async () => {
    const result = await authenticateAdmin(deps(), { username: "nobody", password: "whatever-123", ip: "10.0.0.2" });
    expect(result).toEqual({ ok: false, reason: "invalid" });
  });

  it("lets nobody lock the owner out from elsewhere: the guesser's address is refused, the owner's is only slowed", async () => {
    // Observation 7: five wrong passwords from anywhere used to lock the owner out.
    await createAdmin({ db: test.db }, null, { username: "owner1", password: "owner-password-1", role: "owner" });
    const d = deps();
    for (let i = 0; i < 7; i++) await authenticateAdmin(d, { username: "owner1", password: `guess-${i}-xxxxx`, ip: "198.51.100.66" });
    const attacker = await authenticateAdmin(d, { username: "owner1", password: "owner-password-1", ip: "198.51.100.66" });
    expect(attacker).toMatchObject({ ok: false, reason: "throttled", retryAfterSeconds: expect.any(Number) });

    const owner = deps();
    expect((await authenticateAdmin(owner, { username: "owner1", password: "owner-password-1", ip: "203.0.113.10" })).ok).toBe(true);
    // Five failures counted from anywhere: the owner waited, but got in.
    expect(owner.pauses).toEqual([accountDelayMs(FAILURES_BEFORE_DELAY)]);
    const [row] = await test.db.select().from(admins).where(eq(admins.username, "owner1"));
    expect(row?.failedLogins).toBe(0);
  });

  it("grows the per-account delay with each failure, up to a cap", () => {
    expect(accountDelayMs(FAILURES_BEFORE_DELAY - 1)).toBe(0);
    expect(accountDelayMs(FAILURES_BEFORE_DELAY)).toBe(500);
    expect(accountDelayMs(FAILURES_BEFORE_DELAY + 1)).toBe(1000);
    expect(accountDelayMs(FAILURES_BEFORE_DELAY + 30)).toBe(MAX_ACCOUNT_DELAY_MS);
  });

  it("counts every one of many concurrent attempts from one address: exactly the limit get through", async () => {
    // The old check-then-insert let a parallel burst past the per-address check.
    const d = deps(at("2026-03-01T11:00:00Z"));
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => authenticateAdmin(d, { username: `ghost${i}`, password: "x-xxxxxxxxx", ip: "192.0.2.77" })),
    );
    expect(results.filter((r) => !r.ok && r.reason === "invalid")).toHaveLength(LIMITS["sign-in-address"].limit);
    expect(results.filter((r) => !r.ok && r.reason === "throttled")).toHaveLength(40 - LIMITS["sign-in-address"].limit);
  });

  it("counts concurrent wrong guesses on one account, and forgets an address's failures after its window", async () => {
    await createAdmin({ db: test.db }, null, { username: "carol", password: "carol-password-1", role: "viewer" });
    const d = deps(at("2026-03-01T12:00:00Z"));
    await Promise.all(Array.from({ length: 8 }, (_, i) => authenticateAdmin(d, { username: "carol", password: `bad-${i}-xxxxxx`, ip: `10.2.0.${i}` })));
    const [row] = await test.db.select().from(admins).where(eq(admins.username, "carol"));
    expect(row?.failedLogins).toBe(8);

    for (let i = 0; i < 5; i++) await authenticateAdmin(d, { username: "carol", password: `bad-${i}-yyyyyy`, ip: "10.2.1.1" });
    expect(await authenticateAdmin(d, { username: "carol", password: "carol-password-1", ip: "10.2.1.1" })).toMatchObject({ reason: "throttled" });
    const later = deps(at("2026-03-01T12:31:00Z"));
    expect((await authenticateAdmin(later, { username: "carol", password: "carol-password-1", ip: "10.2.1.1" })).ok).toBe(true);
  });

  it("refuses a disabled account with the same answer as a wrong password", async () => {
    await createAdmin({ db: test.db }, null, { username: "erin", password: "erin-password-1", role: "viewer" });
    await test.db.update(admins).set({ isDisabled: true }).where(eq(admins.username, "erin"));
    const result = await authenticateAdmin(deps(), { username: "erin", password: "erin-password-1", ip: "10.3.0.1" });
    expect(result).toEqual({ ok: false, reason: "invalid" });
  });
});
