import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditLog, vpnUsers, webhookDeliveries } from "@/server/db/schema";
import { AppError, fieldErrorsFromZod } from "@/server/errors";
import { ref } from "@/server/messages";
import type { Clock } from "@/server/services/clock";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { CLIENT_EMAIL_PREFIX } from "@/server/services/keys/key-deps";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { enforcePlans, notifyExpiringUsers } from "./enforce-plans";
import type { PlanDeps } from "./plan-deps";
import { PlanPatch } from "./plan-input";
import { updateUserPlan } from "./update-plan";

let test: TestDatabase;
let fleet: SimulatedFleet;
let nowMs = Date.now();
const clock: Clock = { now: () => new Date(nowMs) };
const DAY_MS = 86_400_000;
const NOTIFY = { webhook: { url: "http://127.0.0.1:9/never-delivered-here", secret: "whsec-test-0123456789" }, telegram: null };
const ADMIN = { adminId: null, username: "ops", ip: "10.0.0.1", userAgent: null };

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.close();
});
afterEach(async () => {
  await fleet.close();
  nowMs = Date.now();
  await test.db.execute(sql`TRUNCATE nodes, vpn_users, assignments, webhook_deliveries, audit_log CASCADE`);
});

const deps = (): PlanDeps => ({ db: test.db, panelFor: fleet.panelFor, publicUrl: "https://fleet.example.com", clock, notifications: NOTIFY, expiringDays: 3 });
const client = (telegramId: number) => fleet.panel("a").state.clients().find((c) => String(c.email).startsWith(`${CLIENT_EMAIL_PREFIX}${telegramId}-`));
const hooks = async (event: string) => (await test.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.event, event))).map((d) => d.payload);

describe("plans", () => {
  it("announces an expiry once per date, suspends at expiry on every node with user.expired, and extending brings the user back", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }], { trafficPollMs: 0 });
    const expiresAt = new Date(nowMs + 10 * DAY_MS);
    await getOrCreateKey(deps(), { telegramId: 6001, plan: { expiresAt } });
    expect(await notifyExpiringUsers(deps())).toBe(0);
    nowMs += 8 * DAY_MS;
    expect(await notifyExpiringUsers(deps())).toBe(1);
    expect(await notifyExpiringUsers(deps())).toBe(0);
    expect(await hooks("user.expiring")).toEqual([expect.objectContaining({ telegramId: 6001, daysLeft: 2, expiresAt: expiresAt.toISOString() })]);

    nowMs += 2 * DAY_MS;
    expect(await enforcePlans(deps())).toMatchObject({ suspended: 1, clientsUpdated: 1, deferred: 0 });
    expect(await enforcePlans(deps())).toMatchObject({ suspended: 0 });
    expect(client(6001)).toMatchObject({ enable: false });
    expect(await hooks("user.expired")).toHaveLength(1);

    const back = await updateUserPlan(deps(), { telegramId: 6001, patch: { extendDays: 30 } });
    // Extending an expired plan counts from now.
    expect(back).toMatchObject({ status: "active", syncedToPanels: true, plan: { expiresAt: new Date(nowMs + 30 * DAY_MS) } });
    expect(client(6001)).toMatchObject({ enable: true, expiryTime: nowMs + 30 * DAY_MS });
    // A new expiry date is announced again when its time comes.
    nowMs += 28 * DAY_MS;
    expect(await notifyExpiringUsers(deps())).toBe(1);
  });

  it("switches a user off and on, lowers a quota under the usage (suspension at once), and audits an admin's change", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }], { trafficPollMs: 0 });
    await getOrCreateKey(deps(), { telegramId: 6002 });
    await test.db.update(vpnUsers).set({ uploadBytes: 100, downloadBytes: 900 }).where(eq(vpnUsers.telegramId, 6002));

    expect(await updateUserPlan(deps(), { telegramId: 6002, patch: { disabled: true }, actor: ADMIN })).toMatchObject({ status: "disabled" });
    expect(client(6002)).toMatchObject({ enable: false });
    expect(await updateUserPlan(deps(), { telegramId: 6002, patch: { disabled: false } })).toMatchObject({ status: "active" });
    expect(client(6002)).toMatchObject({ enable: true, totalGB: 0 });

    const limited = await updateUserPlan(deps(), { telegramId: 6002, patch: { trafficLimitBytes: 1_000, deviceLimit: 2 }, actor: ADMIN });
    expect(limited).toMatchObject({ status: "over_quota", usage: { usedBytes: 1_000, remainingBytes: 0 } });
    expect(client(6002)).toMatchObject({ enable: false, limitIp: 2 });
    expect(await hooks("user.quota_exceeded")).toHaveLength(1);

    const reset = await updateUserPlan(deps(), { telegramId: 6002, patch: { resetTraffic: true }, actor: ADMIN });
    expect(reset).toMatchObject({ status: "active", usage: { usedBytes: 0, remainingBytes: 1_000 } });
    expect(client(6002)).toMatchObject({ enable: true, totalGB: 1_000 });

    const audit = await test.db.select().from(auditLog).orderBy(auditLog.id);
    expect(audit.map((a) => a.action)).toEqual(["user.plan.update", "user.plan.update", "user.traffic.reset"]);
    expect(audit[1]).toMatchObject({ targetId: "6002", before: { trafficLimitBytes: null }, after: { trafficLimitBytes: 1_000, suspension: "over_quota" }, ip: "10.0.0.1" });
  });

  it("keeps the change when a node is down and leaves the client to the reconciler", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }], { trafficPollMs: 0, timeoutMs: 300 });
    await getOrCreateKey(deps(), { telegramId: 6003 });
    await fleet.panel("a").faults.down();
    expect(await updateUserPlan(deps(), { telegramId: 6003, patch: { disabled: true } })).toMatchObject({ status: "disabled", syncedToPanels: false });
    const [user] = await test.db.select().from(vpnUsers).where(eq(vpnUsers.telegramId, 6003));
    expect(user?.status).toBe("disabled");
  });

  it("refuses bad input with the field named", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }]);
    await getOrCreateKey(deps(), { telegramId: 6004 });
    const fields = (value: unknown) => {
      const parsed = PlanPatch.safeParse(value);
      return parsed.success ? {} : fieldErrorsFromZod(parsed.error.issues);
    };
    expect(fields({ trafficLimitBytes: -1 })).toEqual({ trafficLimitBytes: ref("validation.greaterThan", { minimum: 0 }) });
    expect(fields({ trafficLimitBytes: 1.5 })).toEqual({ trafficLimitBytes: ref("validation.integer") });
    expect(fields({ deviceLimit: 0 })).toEqual({ deviceLimit: ref("validation.min", { minimum: 1 }) });
    expect(fields({ expiresAt: "next week" })).toEqual({ expiresAt: ref("validation.format") });
    expect(fields({ expiresAt: "2030-01-01T00:00:00Z", extendDays: 30 })).toEqual({ extendDays: ref("plan.field.extendWithExpiresAt") });
    expect(fields({})).toEqual({ body: ref("plan.field.nothingToChange") });
    const past = await updateUserPlan(deps(), { telegramId: 6004, patch: { expiresAt: new Date(nowMs - 1) } }).catch((e: unknown) => e);
    expect(past).toBeInstanceOf(AppError);
    expect(past).toMatchObject({ code: "BAD_REQUEST", fields: { expiresAt: ref("plan.field.future") } });
    await expect(updateUserPlan(deps(), { telegramId: 999, patch: { disabled: true } })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
