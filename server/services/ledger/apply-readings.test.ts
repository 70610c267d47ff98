import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { assignments, nodeTrafficHourly, nodes, trafficCounters, userTrafficHourly, vpnUsers } from "@/server/db/schema";
import { rowsOf } from "@/server/db/migrate";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { applyReadings, hourOf } from "./apply-readings";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase({ maxConnections: 10 });
});
afterAll(async () => {
  await test.close();
});
afterEach(async () => {
  await test.db.execute(sql`TRUNCATE nodes, vpn_users, assignments, traffic_counters, user_traffic_hourly, node_traffic_hourly CASCADE`);
});

const AT = new Date("2026-11-29T10:15:00Z");

async function userWithClient(options: { telegramId: number; email: string; limit?: number; nodeName?: string }) {
  const [node] = await test.db
    .insert(nodes)
    .values({ name: options.nodeName ?? `n-${options.telegramId}`, panelUrl: "http://127.0.0.1:1/", inboundId: 1 })
    .returning();
  const [user] = await test.db
    .insert(vpnUsers)
    .values({ telegramId: options.telegramId, subscriptionToken: `token-${options.telegramId}-0123456789`, trafficLimitBytes: options.limit ?? null })
    .returning();
  await test.db.insert(assignments).values({ userId: user!.id, nodeId: node!.id, inboundId: 1, clientId: "id", clientEmail: options.email, state: "active" });
  return { node: node!, user: user! };
}

const totals = async (userId: string) => {
  const [u] = await test.db.select({ up: vpnUsers.uploadBytes, down: vpnUsers.downloadBytes }).from(vpnUsers).where(eq(vpnUsers.id, userId));
  return u;
};

describe("applyReadings", () => {
  it("counts a new client from zero, then the difference between readings; a reading seen again adds nothing", async () => {
    const { node, user } = await userWithClient({ telegramId: 1, email: "fleet-1-a" });
    const read = (up: number, down: number, at = AT) => applyReadings(test.db, { nodeId: node.id, at, readings: [{ inboundId: 1, email: "fleet-1-a", up, down }] });
    expect(await read(100, 1_000)).toMatchObject({ applied: 1, bytes: { up: 100, down: 1_000 } });
    expect(await read(150, 1_500)).toMatchObject({ applied: 1, bytes: { up: 50, down: 500 } });
    expect(await read(150, 1_500)).toMatchObject({ applied: 0, bytes: { up: 0, down: 0 } });
    expect(await totals(user.id)).toEqual({ up: 150, down: 1_500 });
    expect(await test.db.select().from(userTrafficHourly)).toEqual([{ userId: user.id, hour: hourOf(AT), up: 150, down: 1_500 }]);
    expect(await test.db.select().from(nodeTrafficHourly)).toEqual([{ nodeId: node.id, hour: hourOf(AT), up: 150, down: 1_500 }]);
    expect((await test.db.select().from(trafficCounters))[0]).toMatchObject({ up: 150, down: 1_500, seq: 2 });
  });

  it("reads a counter below the last one as a reset: the new reading counts from zero", async () => {
    const { node, user } = await userWithClient({ telegramId: 2, email: "fleet-2-a" });
    const read = (up: number, down: number) => applyReadings(test.db, { nodeId: node.id, at: AT, readings: [{ inboundId: 1, email: "fleet-2-a", up, down }] });
    await read(500, 5_000);
    expect(await read(20, 300)).toMatchObject({ applied: 1, resets: 1, bytes: { up: 20, down: 300 } });
    expect(await read(30, 400)).toMatchObject({ applied: 1, resets: 0, bytes: { up: 10, down: 100 } });
    expect(await totals(user.id)).toEqual({ up: 530, down: 5_400 });
  });

  it("applies the same reading delivered by several replicas at once exactly once", async () => {
    const { node, user } = await userWithClient({ telegramId: 3, email: "fleet-3-a" });
    const replica = (up: number, down: number) => applyReadings(test.db, { nodeId: node.id, at: AT, readings: [{ inboundId: 1, email: "fleet-3-a", up, down }] });
    // Hold the user's row so every replica computes its delta from the same counters, then lets them race.
    const race = async (up: number, down: number) =>
      test.db.transaction(async (tx) => {
        await tx.execute(sql`SELECT id FROM vpn_users WHERE id = ${user.id} FOR UPDATE`);
        const running = [replica(up, down), replica(up, down), replica(up, down)];
        const waiting = async () => Number(rowsOf<{ n: string }>(await test.db.execute(sql`SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`))[0]?.n);
        await expect.poll(waiting, { timeout: 10_000 }).toBe(3);
        return running;
      }).then((running) => Promise.all(running));
    const first = await race(7, 70);
    expect(first.map((r) => r.applied).sort()).toEqual([0, 0, 1]);
    expect(first.reduce((n, r) => n + r.superseded, 0)).toBe(2);
    expect(await totals(user.id)).toEqual({ up: 7, down: 70 });
    const second = await race(8, 80);
    expect(second.map((r) => r.applied).sort()).toEqual([0, 0, 1]);
    expect(await totals(user.id)).toEqual({ up: 8, down: 80 });
    expect(await test.db.select({ up: userTrafficHourly.up, down: userTrafficHourly.down }).from(userTrafficHourly)).toEqual([{ up: 8, down: 80 }]);
  });

  it("ignores emails this system did not issue", async () => {
    const { node } = await userWithClient({ telegramId: 4, email: "fleet-4-a" });
    const result = await applyReadings(test.db, { nodeId: node.id, at: AT, readings: [{ inboundId: 1, email: "seed-vless", up: 9, down: 9 }] });
    expect(result.applied).toBe(0);
    expect(await test.db.select().from(trafficCounters)).toEqual([]);
  });

  it("names a user the moment their fleet-wide total reaches the limit, and only while not yet suspended", async () => {
    const { node, user } = await userWithClient({ telegramId: 5, email: "fleet-5-a", limit: 1_000 });
    const read = (down: number) => applyReadings(test.db, { nodeId: node.id, at: AT, readings: [{ inboundId: 1, email: "fleet-5-a", up: 0, down }] });
    expect((await read(999)).overQuota).toEqual([]);
    expect((await read(1_000)).overQuota).toEqual([user.id]);
    await test.db.update(vpnUsers).set({ suspension: "over_quota" }).where(eq(vpnUsers.id, user.id));
    expect((await read(1_200)).overQuota).toEqual([]);
    expect(await totals(user.id)).toEqual({ up: 0, down: 1_200 });
  });
});
