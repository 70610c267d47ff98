/**
 * The dashboard's user management through the router, as an admin's browser calls it: create a
 * user on the balancer's node or a chosen one, filter the list, change a plan one user at a time
 * and in bulk — every change audited, put on the panels, and refused to viewers.
 */
import { and, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditLog, vpnUsers } from "@/server/db/schema";
import type { AppContext } from "@/server/composition/app-context";
import { ref } from "@/server/messages";
import type { Actor } from "@/server/services/actor";
import type { Clock } from "@/server/services/clock";
import { CLIENT_EMAIL_PREFIX } from "@/server/services/keys/key-deps";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { BULK_LIMIT } from "@/server/services/users/bulk-update-plans";
import { createTestActor } from "@/server/testing/test-actor";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { createCaller } from "../root";

const DAY_MS = 86_400_000;
let test: TestDatabase;
let app: AppContext;
let fleet: SimulatedFleet;
let admin: Actor;
let viewer: Actor;
let nowMs = Date.now();
const clock: Clock = { now: () => new Date(nowMs) };

beforeAll(async () => {
  test = await createTestDatabase();
  fleet = await startSimulatedFleet(test.db, [{ name: "a" }, { name: "b" }], { trafficPollMs: 0 });
  app = createTestAppContext(test.db, { overrides: { panelFor: fleet.panelFor, clock }, env: { USER_EXPIRING_DAYS: "3" } });
  admin = await createTestActor(test.db, "admin");
  viewer = await createTestActor(test.db, "viewer");
});
afterEach(async () => {
  nowMs = Date.now();
  await test.db.execute(sql`TRUNCATE vpn_users, assignments, audit_log, webhook_deliveries CASCADE`);
  await test.db.execute(sql`UPDATE nodes SET reserved_count = 0`);
});
afterAll(async () => {
  await fleet.close();
  await test.close();
});

const nodeId = async (name: string) => (await createCaller({ app, actor: viewer }).nodes.list()).find((n) => n.name === name)!.id;
const clientOf = (node: string, telegramId: number) =>
  fleet.panel(node).state.clients().find((c) => String(c.email).startsWith(`${CLIENT_EMAIL_PREFIX}${telegramId}-`));
const audits = async (action: string) => test.db.select().from(auditLog).where(and(eq(auditLog.action, action), eq(auditLog.actorAdminId, admin.adminId)));

describe("users router: plans from the dashboard", () => {
  it("creates a user with a plan on the balancer's node or a chosen one, audited, and refuses an existing id with the field named", async () => {
    const asAdmin = createCaller({ app, actor: admin });
    const expiresAt = new Date(nowMs + 30 * DAY_MS).toISOString();
    const created = await asAdmin.users.create({ telegramId: 7001, username: "@carol", expiresAt, trafficLimitBytes: 50 * 1024 ** 3, deviceLimit: 2 });
    expect(created).toMatchObject({ telegramId: 7001, keyError: null, node: { name: expect.any(String) } });
    // Where the key went, never the key: seeing it is an audited reveal.
    expect(JSON.stringify(created)).not.toMatch(/vless:\/\/|\/sub\//);
    const placedOn = created.node!.name;
    expect(clientOf(placedOn, 7001)).toMatchObject({ enable: true, totalGB: 50 * 1024 ** 3, limitIp: 2, expiryTime: Date.parse(expiresAt) });

    const chosen = await asAdmin.users.create({ telegramId: 7002, nodeId: await nodeId("b") });
    expect(chosen.node).toMatchObject({ name: "b" });
    const [row] = await asAdmin.users.search({ query: "7002" }).then((r) => r.rows);
    expect(row?.assignment?.placementReason).toMatchObject({ strategy: "manual" });

    const again = await asAdmin.users.create({ telegramId: 7001 }).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: "CONFLICT", cause: { fields: { telegramId: ref("user.field.exists") } } });
    const past = await asAdmin.users.create({ telegramId: 7003, expiresAt: new Date(nowMs - 1000).toISOString() }).catch((e: unknown) => e);
    expect(past).toMatchObject({ code: "BAD_REQUEST", cause: { fields: { expiresAt: ref("plan.field.future") } } });
    expect(await test.db.select().from(vpnUsers).where(eq(vpnUsers.telegramId, 7003))).toEqual([]);

    expect((await audits("user.create")).map((a) => [a.targetId, a.after])).toEqual([
      ["7001", expect.objectContaining({ username: "carol", trafficLimitBytes: 50 * 1024 ** 3, deviceLimit: 2, nodeId: null })],
      ["7002", expect.objectContaining({ nodeId: await nodeId("b") })],
    ]);
    await expect(createCaller({ app, actor: viewer }).users.create({ telegramId: 7004 })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("keeps a created user whose key no node could take, and says why", async () => {
    await test.db.execute(sql`UPDATE nodes SET admin_state = 'draining'`);
    try {
      const created = await createCaller({ app, actor: admin }).users.create({ telegramId: 7010 });
      expect(created).toMatchObject({ node: null, keyError: expect.anything() });
      expect(await createCaller({ app, actor: viewer }).users.get({ telegramId: 7010 })).toMatchObject({ assignment: null, status: "active" });
    } finally {
      await test.db.execute(sql`UPDATE nodes SET admin_state = 'active'`);
    }
  });

  it("filters by node, status, expiring soon and over quota", async () => {
    const asAdmin = createCaller({ app, actor: admin });
    const [a, b] = [await nodeId("a"), await nodeId("b")];
    await asAdmin.users.create({ telegramId: 7101, nodeId: a, expiresAt: new Date(nowMs + 2 * DAY_MS).toISOString() });
    await asAdmin.users.create({ telegramId: 7102, nodeId: b, expiresAt: new Date(nowMs + 20 * DAY_MS).toISOString() });
    await asAdmin.users.create({ telegramId: 7103, nodeId: b, trafficLimitBytes: 1_000 });
    await asAdmin.users.create({ telegramId: 7104, nodeId: a });
    await asAdmin.users.updatePlan({ telegramId: 7104, patch: { disabled: true } });
    // The ledger counted 7103 past its quota; the enforcer has not run yet: the list says so already.
    await test.db.update(vpnUsers).set({ downloadBytes: 1_000 }).where(eq(vpnUsers.telegramId, 7103));
    const ids = async (input: Parameters<ReturnType<typeof createCaller>["users"]["search"]>[0]) =>
      (await createCaller({ app, actor: viewer }).users.search(input)).rows.map((r) => r.telegramId).sort();
    expect(await ids({ nodeId: a })).toEqual([7101, 7104]);
    expect(await ids({ nodeId: b, status: "active" })).toEqual([7102]);
    expect(await ids({ status: "over_quota" })).toEqual([7103]);
    expect(await ids({ status: "disabled" })).toEqual([7104]);
    expect(await ids({ expiringSoon: true })).toEqual([7101]);
    nowMs += 3 * DAY_MS;
    expect(await ids({ status: "expired" })).toEqual([7101]);
    expect(await ids({ status: "active" })).toEqual([7102]);
    const [over] = (await createCaller({ app, actor: viewer }).users.search({ query: "7103" })).rows;
    expect(over).toMatchObject({ status: "over_quota", usage: { usedBytes: 1_000, remainingBytes: 0 }, plan: { trafficLimitBytes: 1_000 } });
  });

  it("changes plans in bulk: each user locked, audited and switched on the panel; a missing user fails alone", async () => {
    const asAdmin = createCaller({ app, actor: admin });
    for (const telegramId of [7201, 7202, 7203]) await asAdmin.users.create({ telegramId, nodeId: await nodeId("a") });
    const off = await asAdmin.users.bulk({ telegramIds: [7201, 7202, 7999, 7202], change: { action: "disable" } });
    expect(off).toMatchObject({ changed: 2, pendingOnPanels: 0, failed: [{ telegramId: 7999 }] });
    expect([clientOf("a", 7201)?.enable, clientOf("a", 7202)?.enable, clientOf("a", 7203)?.enable]).toEqual([false, false, true]);

    const extended = await asAdmin.users.bulk({ telegramIds: [7201, 7203], change: { action: "extend", days: 30 } });
    expect(extended.changed).toBe(2);
    expect(clientOf("a", 7203)?.expiryTime).toBe(nowMs + 30 * DAY_MS);
    await asAdmin.users.bulk({ telegramIds: [7201, 7202], change: { action: "enable" } });
    expect(clientOf("a", 7201)).toMatchObject({ enable: true, expiryTime: nowMs + 30 * DAY_MS });
    await test.db.update(vpnUsers).set({ uploadBytes: 10, downloadBytes: 20 });
    await asAdmin.users.bulk({ telegramIds: [7201], change: { action: "resetTraffic" } });
    expect((await asAdmin.users.get({ telegramId: 7201 })).usage.usedBytes).toBe(0);

    expect((await audits("user.plan.update")).length).toBe(2 + 2 + 2);
    expect((await audits("user.traffic.reset")).map((a) => a.targetId)).toEqual(["7201"]);
    await expect(createCaller({ app, actor: viewer }).users.bulk({ telegramIds: [7201], change: { action: "disable" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const tooMany = Array.from({ length: BULK_LIMIT + 1 }, (_, i) => 8000 + i);
    await expect(asAdmin.users.bulk({ telegramIds: tooMany, change: { action: "disable" } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(asAdmin.users.bulk({ telegramIds: [7201], change: { action: "extend", days: 0 } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
