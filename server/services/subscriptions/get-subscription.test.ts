import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditLog, nodes, vpnUsers } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import type { KeyDeps } from "@/server/services/keys/key-deps";
import { revokeKey } from "@/server/services/keys/revoke-key";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { refreshKey } from "@/server/services/keys/refresh-key";
import { createTestActor } from "@/server/testing/test-actor";
import { getSubscription } from "./get-subscription";
import { rotateSubscription } from "@/server/services/keys/rotate-subscription";
import { SUBSCRIPTION_RETRY_AFTER_SECONDS, subscriptionResponse } from "./subscription-response";

let test: TestDatabase;
let fleet: SimulatedFleet;
const settings = { title: "Fleet VPN", updateHours: 1, probe: { url: "https://probe.example/204", intervalSeconds: 10 } };

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.close();
});
afterEach(async () => {
  await fleet.close();
  await test.db.execute(sql`TRUNCATE nodes, vpn_users, assignments CASCADE`);
});

const keyDeps = (): KeyDeps => ({ db: test.db, panelFor: fleet.panelFor, publicUrl: "https://fleet.example.com" });
const fetchSub = async (token: string) => subscriptionResponse(await getSubscription({ db: test.db }, token), settings);
const tokenOf = (url: string) => url.split("/sub/")[1] ?? "";

describe("subscriptions", () => {
  it("serves the current link base64-encoded with the headers VPN apps read, usage and plan from the ledger, no panel call", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }]);
    const expiresAt = new Date("2031-01-02T03:04:05Z");
    const key = await getOrCreateKey(keyDeps(), { telegramId: 8001, plan: { expiresAt, trafficLimitBytes: 50 * 2 ** 30 } });
    // The ledger's totals, whatever the user's current panel counts.
    await test.db.update(vpnUsers).set({ uploadBytes: 1000, downloadBytes: 5000 }).where(eq(vpnUsers.telegramId, 8001));
    await fleet.panel("a").faults.down();

    const response = await fetchSub(tokenOf(key.subscriptionUrl));
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.text(), "base64").toString("utf8")).toBe(`${key.key}\n`);
    expect(response.headers.get("subscription-userinfo")).toBe(`upload=1000; download=5000; total=${50 * 2 ** 30}; expire=${expiresAt.getTime() / 1000}`);
    expect(response.headers.get("profile-title")).toBe(`base64:${Buffer.from("Fleet VPN").toString("base64")}`);
    expect(response.headers.get("profile-update-interval")).toBe("1");
    expect(response.headers.get("content-disposition")).toBe("attachment; filename*=UTF-8''Fleet%20VPN");
  });

  it("answers 404 for an unknown or malformed token", async () => {
    fleet = await startSimulatedFleet(test.db, []);
    expect((await fetchSub("A".repeat(32))).status).toBe(404);
    expect((await fetchSub("../../etc/passwd")).status).toBe(404);
  });

  it.each([
    ["unhealthy", { healthState: "unhealthy" as const }],
    ["draining", { adminState: "draining" as const }],
    ["disabled", { adminState: "disabled" as const }],
  ])("never hands out a link on a %s node: 503 with Retry-After, so apps keep their last profile", async (_label, change) => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }]);
    const key = await getOrCreateKey(keyDeps(), { telegramId: 8002 });
    await test.db.update(nodes).set(change).where(eq(nodes.name, "a"));
    const response = await fetchSub(tokenOf(key.subscriptionUrl));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe(String(SUBSCRIPTION_RETRY_AFTER_SECONDS));
    expect(await response.text()).toBe("");
  });

  it("keeps the URL across a move and serves the new link", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }, { name: "b", reservedCount: 10 }]);
    const first = await getOrCreateKey(keyDeps(), { telegramId: 8003 });
    await test.db.update(nodes).set({ healthState: "unhealthy" }).where(eq(nodes.name, "a"));
    const moved = await getOrCreateKey(keyDeps(), { telegramId: 8003 });
    expect(moved.subscriptionUrl).toBe(first.subscriptionUrl);
    const body = Buffer.from(await (await fetchSub(tokenOf(first.subscriptionUrl))).text(), "base64").toString("utf8");
    expect(body).toBe(`${moved.key}\n`);
  });

  it("keeps the link of a user whose plan ran out, so the app shows the spent quota; a switched-off user gets an empty list", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }]);
    const key = await getOrCreateKey(keyDeps(), { telegramId: 8005, plan: { trafficLimitBytes: 100 } });
    await test.db.update(vpnUsers).set({ downloadBytes: 150, suspension: "over_quota" }).where(eq(vpnUsers.telegramId, 8005));
    const spent = await fetchSub(tokenOf(key.subscriptionUrl));
    expect(Buffer.from(await spent.text(), "base64").toString("utf8")).toBe(`${key.key}\n`);
    expect(spent.headers.get("subscription-userinfo")).toBe("upload=0; download=150; total=100; expire=0");
    await test.db.update(vpnUsers).set({ status: "disabled" }).where(eq(vpnUsers.telegramId, 8005));
    const off = await fetchSub(tokenOf(key.subscriptionUrl));
    expect(await off.text()).toBe("");
    expect(off.headers.get("subscription-userinfo")).toBe("upload=0; download=150; total=100; expire=0");
  });

  it("gives the user a new URL when the key is revoked: the old one answers 404", async () => {
    // Observation 6: revoke kept the token, so a leaked URL followed the user forever.
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }]);
    const key = await getOrCreateKey(keyDeps(), { telegramId: 8004 });
    await revokeKey(keyDeps(), { telegramId: 8004 });
    expect((await fetchSub(tokenOf(key.subscriptionUrl))).status).toBe(404);
    const [user] = await test.db.select().from(vpnUsers);
    expect(user?.subscriptionToken).not.toBe(tokenOf(key.subscriptionUrl));
    const fresh = await fetchSub(user!.subscriptionToken);
    expect(fresh.status).toBe(200);
    expect(await fresh.text()).toBe("");
    const again = await getOrCreateKey(keyDeps(), { telegramId: 8004 });
    expect(again.subscriptionUrl).toBe(`https://fleet.example.com/sub/${user!.subscriptionToken}`);
  });

  it("rotates on a refresh that asks for it, and by an admin's action, audited", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }]);
    const key = await getOrCreateKey(keyDeps(), { telegramId: 8005 });
    const plain = await refreshKey(keyDeps(), { telegramId: 8005 });
    expect(plain.subscriptionUrl).toBe(key.subscriptionUrl);
    const rotated = await refreshKey(keyDeps(), { telegramId: 8005, rotateSubscription: true });
    expect(rotated.subscriptionUrl).not.toBe(key.subscriptionUrl);
    expect((await fetchSub(tokenOf(key.subscriptionUrl))).status).toBe(404);
    expect(Buffer.from(await (await fetchSub(tokenOf(rotated.subscriptionUrl))).text(), "base64").toString("utf8")).toBe(`${rotated.key}\n`);

    const actor = await createTestActor(test.db, "admin");
    const byAdmin = await rotateSubscription(keyDeps(), { telegramId: 8005, actor });
    expect(byAdmin.subscriptionUrl).not.toBe(rotated.subscriptionUrl);
    expect((await fetchSub(tokenOf(rotated.subscriptionUrl))).status).toBe(404);
    const [audit] = await test.db.select().from(auditLog).where(eq(auditLog.action, "subscription.rotate"));
    expect(audit).toMatchObject({ actorAdminId: actor.adminId, targetId: "8005" });
    expect(JSON.stringify(audit)).not.toContain(tokenOf(byAdmin.subscriptionUrl));
    await expect(rotateSubscription(keyDeps(), { telegramId: 9999 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
