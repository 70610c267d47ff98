import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admins } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { authenticateAdmin, LOGIN_POLICY } from "./authenticate-admin";
import { createAdmin } from "./manage-admins";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test.close());

const at = (iso: string) => ({ now: () => new Date(iso) });

describe("authenticateAdmin", () => {
  it("accepts the right password case-insensitively on the username, refuses a wrong one", async () => {
    await createAdmin({ db: test.db }, null, { username: "Alice", password: "correct-password-1", role: "admin" });
    const ok = await authenticateAdmin({ db: test.db }, { username: "alice", password: "correct-password-1", ip: "10.0.0.1" });
    expect(ok.ok).toBe(true);
    const bad = await authenticateAdmin({ db: test.db }, { username: "alice", password: "wrong-password-1", ip: "10.0.0.1" });
    expect(bad).toEqual({ ok: false, reason: "invalid" });
  });

  it("answers an unknown username exactly like a wrong password", async () => {
    const result = await authenticateAdmin({ db: test.db }, { username: "nobody", password: "whatever-123", ip: "10.0.0.2" });
    expect(result).toEqual({ ok: false, reason: "invalid" });
  });

  it("locks an account after repeated failures, even for the right password, and unlocks later", async () => {
    await createAdmin({ db: test.db }, null, { username: "bob", password: "bob-password-1", role: "viewer" });
    const clock = at("2026-01-01T00:00:00Z");
    for (let i = 0; i < LOGIN_POLICY.accountFailuresBeforeLock; i++) {
      await authenticateAdmin({ db: test.db, clock }, { username: "bob", password: `nope-${i}-xxxxx`, ip: `10.1.0.${i}` });
    }
    const locked = await authenticateAdmin({ db: test.db, clock }, { username: "bob", password: "bob-password-1", ip: "10.1.1.1" });
    expect(locked).toMatchObject({ ok: false, reason: "throttled" });
    const later = await authenticateAdmin(
      { db: test.db, clock: at("2026-01-01T00:20:00Z") },
      { username: "bob", password: "bob-password-1", ip: "10.1.1.1" },
    );
    expect(later.ok).toBe(true);
    const [row] = await test.db.select().from(admins).where(eq(admins.username, "bob"));
    expect(row?.failedLogins).toBe(0);
  });

  it("counts every one of many concurrent wrong guesses", async () => {
    await createAdmin({ db: test.db }, null, { username: "carol", password: "carol-password-1", role: "viewer" });
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => authenticateAdmin({ db: test.db }, { username: "carol", password: `bad-${i}-xxxxxx`, ip: `10.2.0.${i}` })),
    );
    const [row] = await test.db.select().from(admins).where(eq(admins.username, "carol"));
    expect(row?.failedLogins).toBe(8);
    expect(row?.lockedUntil).not.toBeNull();
  });

  it("throttles one IP that fails against many accounts", async () => {
    const ip = "192.0.2.77";
    for (let i = 0; i < LOGIN_POLICY.ipMaxFailures; i++) {
      await authenticateAdmin({ db: test.db }, { username: `ghost${i}`, password: "x-xxxxxxxxx", ip });
    }
    await createAdmin({ db: test.db }, null, { username: "dave", password: "dave-password-1", role: "viewer" });
    const result = await authenticateAdmin({ db: test.db }, { username: "dave", password: "dave-password-1", ip });
    expect(result).toMatchObject({ ok: false, reason: "throttled" });
    const elsewhere = await authenticateAdmin({ db: test.db }, { username: "dave", password: "dave-password-1", ip: "192.0.2.78" });
    expect(elsewhere.ok).toBe(true);
  });

  it("refuses a disabled account with the same answer as a wrong password", async () => {
    await createAdmin({ db: test.db }, null, { username: "erin", password: "erin-password-1", role: "viewer" });
    await test.db.update(admins).set({ isDisabled: true }).where(eq(admins.username, "erin"));
    const result = await authenticateAdmin({ db: test.db }, { username: "erin", password: "erin-password-1", ip: "10.3.0.1" });
    expect(result).toEqual({ ok: false, reason: "invalid" });
  });
});
