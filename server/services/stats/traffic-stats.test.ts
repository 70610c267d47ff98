/**
 * The traffic views: throughput of the fleet, a node and a user from the hourly roll-ups (every
 * bucket present, one unit for the axis, exact byte totals), online users from each node's last
 * fresh health check, the top users of the period and who expires soon.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { healthChecks, nodes, nodeTrafficHourly, userTrafficHourly, vpnUsers } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { getTrafficOverview } from "./get-traffic-overview";
import { getTrafficSeries } from "./get-traffic-series";

const NOW = new Date("2026-05-20T12:34:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GB = 1024 ** 3;
const hourAgo = (n: number) => new Date(Math.floor(NOW.getTime() / HOUR) * HOUR - n * HOUR);

let test: TestDatabase;
const deps = () => ({ db: test.db, clock: { now: () => NOW }, healthIntervalSeconds: 30, expiringDays: 3 });
const ids: Record<string, string> = {};

beforeAll(async () => {
  test = await createTestDatabase();
  for (const name of ["a", "b", "off", "stale"]) {
    const [node] = await test.db
      .insert(nodes)
      .values({ name, panelUrl: `http://127.0.0.1:1/${name}/`, inboundId: 1, adminState: name === "off" ? "disabled" : "active" })
      .returning();
    ids[name] = node!.id;
  }
  const users = await test.db
    .insert(vpnUsers)
    .values([
      { telegramId: 1, username: "heavy", subscriptionToken: "t1", uploadBytes: 2 * GB, downloadBytes: 30 * GB, trafficLimitBytes: 50 * GB },
      { telegramId: 2, username: "light", subscriptionToken: "t2", uploadBytes: 10, downloadBytes: 20, expiresAt: new Date(NOW.getTime() + 2 * DAY) },
      { telegramId: 3, username: "soon-but-off", subscriptionToken: "t3", status: "disabled", expiresAt: new Date(NOW.getTime() + DAY) },
      { telegramId: 4, username: "later", subscriptionToken: "t4", expiresAt: new Date(NOW.getTime() + 10 * DAY) },
      { telegramId: 5, username: "idle", subscriptionToken: "t5" },
    ])
    .returning();
  const heavy = users[0]!.id;
  await test.db.insert(nodeTrafficHourly).values([
    { nodeId: ids.a!, hour: hourAgo(0), up: 1 * GB, down: 3 * GB },
    { nodeId: ids.b!, hour: hourAgo(0), up: 0, down: 1 * GB },
    { nodeId: ids.a!, hour: hourAgo(5), up: 512, down: 1024 },
    // Outside 24 h, inside 7 d.
    { nodeId: ids.a!, hour: hourAgo(30), up: 7, down: 9 },
  ]);
  await test.db.insert(userTrafficHourly).values([
    { userId: heavy, hour: hourAgo(0), up: 1 * GB, down: 4 * GB },
    { userId: heavy, hour: hourAgo(2), up: 100, down: 200 },
  ]);
  await test.db.insert(healthChecks).values([
    { nodeId: ids.a!, checkedAt: new Date(NOW.getTime() - 60_000), isOk: true, onlineClients: 4 },
    // Only the newest check of a node counts.
    { nodeId: ids.a!, checkedAt: new Date(NOW.getTime() - 20_000), isOk: true, onlineClients: 7 },
    { nodeId: ids.b!, checkedAt: new Date(NOW.getTime() - 10_000), isOk: true, onlineClients: 2 },
    { nodeId: ids.off!, checkedAt: new Date(NOW.getTime() - 10_000), isOk: true, onlineClients: 50 },
    { nodeId: ids.stale!, checkedAt: new Date(NOW.getTime() - 10 * 60_000), isOk: true, onlineClients: 30 },
  ]);
});
afterAll(async () => {
  await test.close();
});

describe("traffic stats", () => {
  it("sums the fleet's, a node's and a user's hourly roll-ups into every bucket of the window, exact in bytes", async () => {
    const fleet = await getTrafficSeries(deps(), { range: "24h" });
    expect(fleet.points).toHaveLength(25);
    expect(fleet.points.at(-1)).toEqual({ t: hourAgo(0).getTime(), up: GB, down: 4 * GB });
    expect(fleet.points.find((p) => p.t === hourAgo(5).getTime())).toEqual({ t: hourAgo(5).getTime(), up: 512, down: 1024 });
    expect(fleet.points.find((p) => p.t === hourAgo(3).getTime())).toEqual({ t: hourAgo(3).getTime(), up: 0, down: 0 });
    expect(fleet.totals).toEqual({ up: GB + 512, down: 4 * GB + 1024 });

    const node = await getTrafficSeries(deps(), { range: "7d", nodeId: ids.a });
    expect(node.totals).toEqual({ up: GB + 512 + 7, down: 3 * GB + 1024 + 9 });
    expect(node.points).toHaveLength(7 * 4 + 1);
    const empty = await getTrafficSeries(deps(), { range: "30d", nodeId: ids.off });
    expect(empty).toMatchObject({ totals: { up: 0, down: 0 } });
    expect(empty.points).toHaveLength(31);

    const user = await getTrafficSeries(deps(), { range: "24h", telegramId: 1 });
    expect(user.totals).toEqual({ up: GB + 100, down: 4 * GB + 200 });
    expect((await getTrafficSeries(deps(), { range: "24h", telegramId: 5 })).totals).toEqual({ up: 0, down: 0 });
  });

  it("counts online users from each enabled node's newest fresh check, lists top users and who expires soon", async () => {
    const overview = await getTrafficOverview(deps());
    expect(overview.online).toEqual({
      users: 9,
      nodesReporting: 2,
      byNode: [
        { nodeId: ids.a, name: "a", online: 7 },
        { nodeId: ids.b, name: "b", online: 2 },
      ],
    });
    expect(overview.topUsers.map((u) => [u.telegramId, u.usage.usedBytes, u.usage.remainingBytes])).toEqual([
      [1, 32 * GB, 18 * GB],
      [2, 30, null],
    ]);
    expect(overview.expiring).toMatchObject({ days: 3, total: 1, users: [{ telegramId: 2, status: "active" }] });
    await test.db.execute(sql`UPDATE vpn_users SET suspension = 'expired' WHERE telegram_id = 2`);
    expect((await getTrafficOverview(deps())).expiring.total).toBe(0);
  });
});
