/**
 * The traffic ledger end to end, against simulated panels that count as the real ones do: the
 * totals must equal, to the byte, what the panels counted — across panel restarts and resets, a
 * node that is away for an hour, moves and failovers, and readings delivered twice — and a user
 * past their fleet-wide limit is switched off on every node.
 */
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { assignments, nodes, nodeTrafficHourly, nodeTrafficReads, userTrafficHourly, vpnUsers, webhookDeliveries } from "@/server/db/schema";
import type { Clock } from "@/server/services/clock";
import { logger } from "@/server/logger";
import { runHealthSweep } from "@/server/services/health/run-health-sweep";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { CLIENT_EMAIL_PREFIX } from "@/server/services/keys/key-deps";
import type { NodeSpec, SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { migrateUser } from "@/server/services/migration/migrate-user";
import { runFleetOperations } from "@/server/services/migration/run-fleet-operations";
import { updateUserPlan } from "@/server/services/plans/update-plan";
import { hourOf } from "@/server/services/ledger/apply-readings";
import { fleetSuite } from "@/server/testing/fleet-suite";
import type { SimulatedPanel } from "@/server/x3ui/simulator";
import { runTrafficPass } from "./run-traffic-pass";
import type { TrafficDeps } from "./traffic-deps";

const suite = fleetSuite(["nodes", "vpn_users", "assignments", "events", "operations", "webhook_deliveries", "health_checks"], { maxConnections: 20 });
let nowMs = Date.now();
const clock: Clock = { now: () => new Date(nowMs) };
const advance = (ms: number) => (nowMs += ms);
const NOTIFY = { webhook: { url: "http://127.0.0.1:9/never-delivered-here", secret: "whsec-test-0123456789" }, telegram: null };
const ADMIN = { adminId: null, username: "ops", ip: null, userAgent: null };
const INTERVAL_MS = 60_000;
const HEALTH = { intervalSeconds: 5, fall: 2, fallWindowSeconds: 0, rise: 2, timeoutMs: 500 };

afterEach(() => {
  vi.restoreAllMocks();
  nowMs = Date.now();
});

// The panels' traffic job runs only when a test polls, so "not polled yet" is exact.
const start = (specs: NodeSpec[]): Promise<SimulatedFleet> => suite.start(specs, { timeoutMs: 500, trafficPollMs: 0 });

const deps = (f: SimulatedFleet): TrafficDeps => ({
  db: suite.db(),
  panelFor: f.panelFor,
  publicUrl: "https://fleet.example.com",
  clock,
  notifications: NOTIFY,
  expiringDays: 3,
  intervalMs: INTERVAL_MS,
  concurrency: 8,
  timeoutMs: 500,
});

/** One cron pass, one interval after the last. */
async function pass(f: SimulatedFleet) {
  advance(INTERVAL_MS + 1);
  return runTrafficPass(deps(f), { budgetMs: 20_000 });
}

async function sweep(f: SimulatedFleet) {
  advance(HEALTH.intervalSeconds * 1000 + 1);
  return runHealthSweep({ db: suite.db(), panelFor: f.panelFor, clock, settings: HEALTH, concurrency: 8 }, { budgetMs: 10_000 });
}

function ourEmail(panel: SimulatedPanel, telegramId: number): string {
  const client = panel.state.clients().find((c) => String(c.email).startsWith(`${CLIENT_EMAIL_PREFIX}${telegramId}-`));
  if (!client) throw new Error(`no client of ${telegramId} on this panel`);
  return String(client.email);
}

/** Traffic through the panel's Xray, then the panel's poll: the bytes the panel counts. */
function passTraffic(panel: SimulatedPanel, email: string, up: number, down: number): void {
  expect(panel.state.flow(email, up, down)).toBe(true);
  panel.state.poll();
}

async function userRow(telegramId: number) {
  const [row] = await suite.db().select().from(vpnUsers).where(eq(vpnUsers.telegramId, telegramId));
  if (!row) throw new Error(`no user ${telegramId}`);
  return row;
}
const used = async (telegramId: number) => {
  const u = await userRow(telegramId);
  return { up: u.uploadBytes, down: u.downloadBytes };
};

describe("traffic ledger", () => {
  it.each(["2.9.4", "3.6.0"])(
    "v%s: a panel restart loses only what the panel had not polled, and a counter that goes back is a reset, never a double count",
    async (version) => {
      const f = await start([{ name: "a", version }]);
      await getOrCreateKey(deps(f), { telegramId: 9001 });
      const panel = f.panel("a");
      const email = ourEmail(panel, 9001);

      passTraffic(panel, email, 1_000, 10_000);
      await pass(f);
      expect(await used(9001)).toEqual({ up: 1_000, down: 10_000 });

      // In Xray, not polled yet: gone with the restart (the panel's loss, as on real panels).
      panel.state.flow(email, 500, 5_000);
      await f.panel("a").faults.restart(0);
      // v3.6.0's first poll after a start only records baselines; v2 counts it.
      passTraffic(panel, email, 300, 3_000);
      passTraffic(panel, email, 200, 2_000);
      await pass(f);
      const afterRestart = version === "3.6.0" ? { up: 1_200, down: 12_000 } : { up: 1_500, down: 15_000 };
      expect(await used(9001)).toEqual(afterRestart);
      expect(panel.state.traffic.get(email)).toMatchObject(afterRestart);

      // An operator resets the counter on the panel: the next reading is below the last one.
      panel.state.resetTraffic(email);
      passTraffic(panel, email, 50, 70);
      const reset = await pass(f);
      expect(reset).toMatchObject({ resets: 1, bytes: { up: 50, down: 70 } });
      expect(await used(9001)).toEqual({ up: afterRestart.up + 50, down: afterRestart.down + 70 });
      // Nothing new: nothing counted, however often it is read.
      await pass(f);
      await pass(f);
      expect(await used(9001)).toEqual({ up: afterRestart.up + 50, down: afterRestart.down + 70 });
    },
  );

  it("catches up a node that was unreachable for an hour when it comes back, nothing lost", async () => {
    const f = await start([{ name: "a" }]);
    await getOrCreateKey(deps(f), { telegramId: 9002 });
    const panel = f.panel("a");
    const email = ourEmail(panel, 9002);
    passTraffic(panel, email, 10, 100);
    await pass(f);

    const warn = vi.spyOn(logger, "warn");
    const info = vi.spyOn(logger, "info");
    const logged = (spy: typeof warn, message: string) => spy.mock.calls.filter(([m]) => m === message);

    await panel.faults.down();
    // Xray keeps serving and the panel keeps counting; only its API is out of reach.
    for (let minute = 0; minute < 60; minute += 10) {
      passTraffic(panel, email, 1, 1_000);
      expect(await pass(f)).toMatchObject({ nodes: 1, failed: 1, applied: 0 });
      advance(9 * 60_000);
    }
    const [read] = await suite.db().select().from(nodeTrafficReads);
    expect(read?.lastError).toBe("panel unreachable");
    expect(await used(9002)).toEqual({ up: 10, down: 100 });
    // Six failed reads, one line: when they started failing, with why and when it was last read.
    expect(logged(warn, "traffic read failed")).toEqual([
      ["traffic read failed", expect.objectContaining({ nodeId: f.node("a").id, error: expect.objectContaining({ name: "PanelError" }), lastReadAt: expect.anything() })],
    ]);

    await panel.faults.up();
    const back = await pass(f);
    expect(back).toMatchObject({ nodes: 1, failed: 0, applied: 1, bytes: { up: 6, down: 6_000 } });
    expect(logged(info, "traffic read recovered")).toEqual([["traffic read recovered", expect.objectContaining({ nodeId: f.node("a").id, failedWith: "panel unreachable" })]]);
    await pass(f);
    expect(logged(info, "traffic read recovered")).toHaveLength(1);
    expect(await used(9002)).toEqual({ up: 16, down: 6_100 });
    // The hour's bytes land in the hour they were read.
    const hours = await suite.db().select().from(userTrafficHourly).orderBy(userTrafficHourly.hour);
    expect(hours.at(-1)).toMatchObject({ hour: hourOf(clock.now()), up: 6, down: 6_000 });
    expect(hours.reduce((sum, h) => sum + h.down, 0)).toBe(6_100);

    // Away again: a new outage, told once more.
    await panel.faults.down();
    await pass(f);
    await pass(f);
    expect(logged(warn, "traffic read failed")).toHaveLength(2);
  });

  it("continues a moved user's total across nodes: the old node's last bytes count, the target gets the remaining quota and the same expiry", async () => {
    const f = await start([{ name: "a" }, { name: "b", version: "3.6.0" }]);
    const expiresAt = new Date(nowMs + 30 * 86_400_000);
    await getOrCreateKey(deps(f), { telegramId: 9003, plan: { trafficLimitBytes: 10_000, expiresAt } });
    const a = f.panel("a");
    const oldEmail = ourEmail(a, 9003);
    expect(a.state.findClient(oldEmail)?.client).toMatchObject({ totalGB: 10_000, expiryTime: expiresAt.getTime(), enable: true });

    passTraffic(a, oldEmail, 1_000, 2_000);
    await pass(f);
    // Counted by the panel after the last pass: read from the old client just before it is deleted.
    passTraffic(a, oldEmail, 100, 300);
    const moved = await migrateUser(deps(f), ADMIN, { telegramId: 9003, toNodeId: f.node("b").id });
    expect(moved.outcome.status).toBe("succeeded");
    expect(a.state.findClient(oldEmail)).toBeNull();
    expect(await used(9003)).toEqual({ up: 1_100, down: 2_300 });

    const b = f.panel("b");
    const newEmail = ourEmail(b, 9003);
    expect(b.state.findClient(newEmail)?.client).toMatchObject({ totalGB: 10_000 - 3_400, expiryTime: expiresAt.getTime(), enable: true });
    passTraffic(b, newEmail, 400, 800);
    await pass(f);
    expect(await used(9003)).toEqual({ up: 1_500, down: 3_100 });
    const perNode = await suite.db().select({ nodeId: nodeTrafficHourly.nodeId, up: nodeTrafficHourly.up, down: nodeTrafficHourly.down }).from(nodeTrafficHourly);
    expect(perNode).toEqual(
      expect.arrayContaining([
        { nodeId: f.node("a").id, up: 1_100, down: 2_300 },
        { nodeId: f.node("b").id, up: 400, down: 800 },
      ]),
    );
    // The panel's own quota keeps matching what is left fleet-wide.
    expect(b.state.findClient(newEmail)?.client.totalGB).toBe(10_000 - 4_600 + 1_200);
  });

  it("counts the same reading delivered by two replicas once", async () => {
    const f = await start([{ name: "a" }, { name: "b", maxUsers: 0 }]);
    await getOrCreateKey(deps(f), { telegramId: 9004 });
    const panel = f.panel("a");
    const email = ourEmail(panel, 9004);
    passTraffic(panel, email, 123, 4_567);
    // Two replicas' cron pings at once: each node is read by one of them, once.
    advance(INTERVAL_MS + 1);
    const pings = await Promise.all([runTrafficPass(deps(f), { budgetMs: 20_000 }), runTrafficPass(deps(f), { budgetMs: 20_000 })]);
    expect(pings.reduce((n, r) => n + r.nodes, 0)).toBe(2);
    expect(await used(9004)).toEqual({ up: 123, down: 4_567 });
    // Two on-demand reads of the same node at once deliver the same reading: it counts once.
    passTraffic(panel, email, 1, 1);
    const reads = await Promise.all([1, 2].map(() => runTrafficPass(deps(f), { budgetMs: 20_000, nodeIds: [f.node("a").id] })));
    expect(reads.reduce((n, r) => n + r.applied, 0)).toBe(1);
    expect(await used(9004)).toEqual({ up: 124, down: 4_568 });
  });

  it("quota reached while traffic arrives on two nodes around a failover: totals exact to the byte, disabled everywhere, back on when the bot extends", async () => {
    const f = await start([{ name: "a" }, { name: "b", version: "3.6.0" }]);
    await suite.db().update(nodes).set({ maxUsers: 0 }).where(eq(nodes.name, "b"));
    await getOrCreateKey(deps(f), { telegramId: 9005, plan: { trafficLimitBytes: 10_000 } });
    await suite.db().update(nodes).set({ maxUsers: 100 }).where(eq(nodes.name, "b"));
    const a = f.panel("a");
    const b = f.panel("b");
    const oldEmail = ourEmail(a, 9005);
    let counted = 0;
    const spend = (panel: SimulatedPanel, email: string, up: number, down: number) => {
      passTraffic(panel, email, up, down);
      counted += up + down;
    };

    spend(a, oldEmail, 1_000, 5_000);
    await pass(f);
    // a's panel stops answering; its Xray keeps serving the open connection.
    await a.faults.down();
    await sweep(f);
    await sweep(f);
    expect((await suite.db().select().from(nodes).where(eq(nodes.name, "a")))[0]?.healthState).toBe("unhealthy");
    advance(61_000);
    await runFleetOperations({ ...deps(f), failover: { graceSeconds: 60, maxMovesPerMinute: 1_000, autoReturnToService: true } }, { budgetMs: 20_000 });
    const newEmail = ourEmail(b, 9005);
    // The target got what was left: 10,000 − 6,000 read so far.
    expect(b.state.findClient(newEmail)?.client).toMatchObject({ totalGB: 4_000, enable: true });
    const [old] = await suite.db().select().from(assignments).where(eq(assignments.clientEmail, oldEmail));
    expect(old?.state).toBe("revoking");

    spend(a, oldEmail, 500, 2_000); // the old connection on a, not readable yet
    spend(b, newEmail, 300, 1_500); // the new key on b: under b's own quota of 4,000
    await b.faults.restart(0); // …and b restarts: what it had polled stays
    b.state.poll(); // v3.6.0's baseline poll
    expect(b.state.findClient(newEmail)?.client.enable).toBe(true);
    await pass(f); // b only (a is unhealthy): 6,000 + 1,800 < 10,000
    expect(await userRow(9005)).toMatchObject({ suspension: null });

    await a.faults.up();
    await sweep(f);
    await sweep(f);
    const caughtUp = await pass(f); // a's 2,500 arrive: 10,300 ≥ 10,000
    expect(caughtUp.suspended).toBe(1);
    const user = await userRow(9005);
    expect(user.uploadBytes + user.downloadBytes).toBe(counted);
    expect(counted).toBe(10_300);
    expect(user.suspension).toBe("over_quota");
    // Disabled everywhere: the live client switched off, the old one deleted; neither passes traffic.
    expect(b.state.findClient(newEmail)?.client.enable).toBe(false);
    expect(b.state.flow(newEmail, 1, 1)).toBe(false);
    expect(a.state.findClient(oldEmail)).toBeNull();
    expect(a.state.flow(oldEmail, 1, 1)).toBe(false);
    const hooks = await suite.db().select().from(webhookDeliveries).where(eq(webhookDeliveries.event, "user.quota_exceeded"));
    expect(hooks).toHaveLength(1);
    expect(hooks[0]?.payload).toMatchObject({ telegramId: 9005, trafficLimitBytes: 10_000, usedBytes: 10_300 });
    // Further passes change nothing and queue nothing more.
    await pass(f);
    expect(await suite.db().select().from(webhookDeliveries).where(eq(webhookDeliveries.event, "user.quota_exceeded"))).toHaveLength(1);

    // The bot sells the next period: usage starts again, the client is switched back on with the whole quota.
    const renewed = await updateUserPlan(deps(f), { telegramId: 9005, patch: { resetTraffic: true, trafficLimitBytes: 20_000 } });
    expect(renewed).toMatchObject({ status: "active", syncedToPanels: true, usage: { usedBytes: 0, remainingBytes: 20_000 } });
    // b's counter already holds 1,800 from the last period: its quota is 20,000 on top of that.
    expect(b.state.findClient(newEmail)?.client).toMatchObject({ enable: true, totalGB: 21_800 });
    spend(b, newEmail, 10, 10);
    await pass(f);
    expect(await used(9005)).toEqual({ up: 10, down: 10 });
    const [live] = await suite.db().select().from(assignments).where(and(eq(assignments.clientEmail, newEmail)));
    expect(live?.state).toBe("active");
  });
});
