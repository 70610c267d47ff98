/**
 * npm run bench:standby — what a user sees when the primary's node dies.
 *
 * (a) With a standby (STANDBY_ENABLED): one user gets a primary on node A and a standby on node B
 *     from the real services (simulated panels, a throwaway database on the PostgreSQL server of
 *     TEST_DATABASE_URL). Each node's Xray is a real `xray` server (XRAY_BIN) holding exactly the
 *     client the control plane created there, its traffic sent to a local HTTP target that answers
 *     "A" or "B". A real Xray client runs the Xray JSON profile `/sub` generates (only its two
 *     local inbound ports changed, and the probe URL pointed at the local target). The bench checks
 *     traffic goes through A, kills A's panel and A's Xray, and prints the time until the client's
 *     requests are answered through B — no server action in between (goal ≤ 30 s).
 *     Without XRAY_BIN a simulated client stands in: it probes both endpoints every probe interval
 *     (TCP connect, as the observatory's probe first needs) and routes to the first one alive.
 * (b) Without a standby, at the default settings (HEALTH_*, FAILOVER_GRACE_SECONDS): the server-side
 *     timeline from the first failed check to the user's new key, on a simulated clock stepped one
 *     health interval at a time through the real health sweep and failover.
 * (c) What the standby cron step costs on every run: 1,000 nodes and 200,000 users with a key,
 *     first with STANDBY_ENABLED off (no standbys), then on with every user holding a standby
 *     (nothing to promote, retire, place or even out) — the pass's reads alone, median of 10 runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, request as httpRequest, type Server } from "node:http";
import { connect, createServer as createTcpServer, type AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { assignments, nodes, vpnUsers } from "@/server/db/schema";
import { parseEnv } from "@/server/env";
import type { Clock } from "@/server/services/clock";
import { systemClock } from "@/server/services/clock";
import { runHealthSweep } from "@/server/services/health/run-health-sweep";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { runFleetOperations } from "@/server/services/migration/run-fleet-operations";
import { settingsDefaultsFromEnv } from "@/server/services/settings/settings";
import { runStandbyPass } from "@/server/services/standby/run-standby-pass";
import { getSubscription } from "@/server/services/subscriptions/get-subscription";
import { subscriptionResponse } from "@/server/services/subscriptions/subscription-response";
import { createBenchDatabase, fleetSeedSteps, percentiles, seed } from "./lib/bench-database";

const XRAY_BIN = process.env.XRAY_BIN;
const PROBE_INTERVAL_SECONDS = 10;
const GOAL_SECONDS = 30;
const NOTIFY = { webhook: null, telegram: null };
// The simulated panels' VMess-over-WebSocket inbound: no TLS, so a local Xray server can stand in for the node.
const VMESS_WS_INBOUND = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function target(answer: string): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => res.end(answer));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** One GET through the client's HTTP proxy inbound; the body, or null on any failure within `timeoutMs`. */
function getThroughProxy(proxyPort: number, url: string, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: "127.0.0.1", port: proxyPort, path: url, headers: { host: new URL(url).host }, timeout: timeoutMs }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve(res.statusCode === 200 ? body : null));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(null));
    req.end();
  });
}

function startXray(config: unknown, file: string): Promise<ChildProcess> {
  return writeFile(file, JSON.stringify(config)).then(() => {
    const child = spawn(XRAY_BIN ?? "xray", ["run", "-c", file], { stdio: "ignore" });
    return child;
  });
}

/** A node's Xray: the VMess-over-WebSocket inbound with the one client the control plane made there, all traffic to `redirect`. */
function nodeXrayConfig(port: number, clientId: string, redirectPort: number) {
  return {
    log: { loglevel: "none" },
    inbounds: [{ listen: "127.0.0.1", port, protocol: "vmess", settings: { clients: [{ id: clientId }] }, streamSettings: { network: "ws", wsSettings: { path: "/ws" } } }],
    outbounds: [{ protocol: "freedom", settings: { redirect: `127.0.0.1:${redirectPort}` } }],
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(200);
  }
  return false;
}

async function withStandby(db: Database): Promise<number> {
  const [targetA, targetB] = [await target("A"), await target("B")];
  const [portA, portB] = [await freePort(), await freePort()];
  const fleet = await startSimulatedFleet(db, [
    { name: "node-a", location: "DE", publicHost: "127.0.0.1", publicPort: portA },
    { name: "node-b", location: "NL", publicHost: "127.0.0.1", publicPort: portB },
  ]);
  const dir = await mkdtemp(path.join(tmpdir(), "bench-standby-"));
  const children: ChildProcess[] = [];
  try {
    await db.update(nodes).set({ inboundId: VMESS_WS_INBOUND });
    const keyDeps = { db, panelFor: fleet.panelFor, publicUrl: "http://127.0.0.1", clock: systemClock };
    await getOrCreateKey(keyDeps, { telegramId: 1, nodeId: fleet.node("node-a").id });
    const pass = await runStandbyPass({ ...keyDeps, notifications: NOTIFY, standby: { enabled: true, batchSize: 10, keepMovedMs: 0 } }, 10_000);
    if (pass.placed !== 1) throw new Error(`no standby was placed: ${JSON.stringify(pass)}`);
    const clients = await db
      .select({ node: nodes.name, clientId: assignments.clientId, role: assignments.role })
      .from(assignments)
      .innerJoin(nodes, eq(nodes.id, assignments.nodeId))
      .where(sql`${assignments.state} = 'active'`);
    const clientOn = (name: string) => clients.find((c) => c.node === name)?.clientId ?? "";
    console.log(`  user 1: primary on node-a (${clients.find((c) => c.role === "primary")?.node}), standby on ${clients.find((c) => c.role === "standby")?.node}`);

    const [user] = await db.select({ token: vpnUsers.subscriptionToken }).from(vpnUsers);
    const probeUrl = `http://127.0.0.1:${targetA.port}/probe`;
    const settings = { title: "bench", updateHours: 1, probe: { url: probeUrl, intervalSeconds: PROBE_INTERVAL_SECONDS } };
    const response = subscriptionResponse(await getSubscription({ db }, user?.token ?? ""), settings, "xray");
    const profile = (await response.json()) as { inbounds: { port: number; protocol: string }[] };
    const [socksPort, httpPort] = [await freePort(), await freePort()];
    for (const inbound of profile.inbounds) inbound.port = inbound.protocol === "http" ? httpPort : socksPort;
    const url = `http://127.0.0.1:${targetA.port}/hello`;

    if (XRAY_BIN) {
      const xrayA = await startXray(nodeXrayConfig(portA, clientOn("node-a"), targetA.port), path.join(dir, "a.json"));
      children.push(xrayA, await startXray(nodeXrayConfig(portB, clientOn("node-b"), targetB.port), path.join(dir, "b.json")));
      children.push(await startXray(profile, path.join(dir, "client.json")));
      // The observatory's first round decides; until then the balancer may use either.
      if (!(await waitFor(async () => (await getThroughProxy(httpPort, url, 2_000)) === "A", 60_000))) throw new Error("traffic never went through the primary");
      console.log(`  real Xray client (${XRAY_BIN}) following the generated Xray JSON: traffic goes through node-a`);
      await fleet.panel("node-a").faults.down();
      xrayA.kill("SIGKILL");
    } else {
      return await simulatedClient(fleet, portA, portB);
    }
    const killed = performance.now();
    console.log("  node-a killed (panel down, its Xray gone); no server action from here on");
    const throughB = await waitFor(async () => (await getThroughProxy(httpPort, url, 1_000)) === "B", 120_000);
    const seconds = (performance.now() - killed) / 1000;
    if (!throughB) throw new Error("traffic never went through the standby within 120 s");
    return seconds;
  } finally {
    for (const child of children) child.kill("SIGKILL");
    await fleet.close();
    targetA.server.close();
    targetB.server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Without a real client: TCP listeners stand for the nodes; the client probes both every interval and uses the first alive, as the fallback groups do. */
async function simulatedClient(fleet: SimulatedFleet, portA: number, portB: number): Promise<number> {
  const listeners = await Promise.all(
    [portA, portB].map(async (port) => {
      const server = createTcpServer((socket) => socket.end());
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      return server;
    }),
  );
  const alive = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port, timeout: 1_000 }, () => (socket.destroy(), resolve(true)));
      socket.on("error", () => resolve(false));
      socket.on("timeout", () => (socket.destroy(), resolve(false)));
    });
  console.log("  XRAY_BIN unset: a simulated client probes both keys every", PROBE_INTERVAL_SECONDS, "s");
  await fleet.panel("node-a").faults.down();
  await new Promise((resolve) => listeners[0]?.close(resolve));
  const killed = performance.now();
  // The kill lands anywhere in the client's probe cycle: on average half an interval before its next probe.
  const phase = Math.random() * PROBE_INTERVAL_SECONDS * 1000;
  await sleep(phase);
  let chosen = (await alive(portA)) ? portA : (await alive(portB)) ? portB : 0;
  while (chosen !== portB) {
    await sleep(PROBE_INTERVAL_SECONDS * 1000);
    chosen = (await alive(portA)) ? portA : (await alive(portB)) ? portB : 0;
  }
  const seconds = (performance.now() - killed) / 1000;
  await new Promise((resolve) => listeners[1]?.close(resolve));
  return seconds;
}

/** (b): the default settings' timeline, stepped one health interval at a time on a simulated clock. */
async function withoutStandby(db: Database): Promise<{ declaredDown: number; newKey: number; settings: string }> {
  const env = parseEnv({ NODE_ENV: "test", DATABASE_URL: "postgres://bench@127.0.0.1/bench", AUTH_SECRET: randomBytes(32).toString("hex"), PANEL_SECRET_KEYS: `k1:${randomBytes(32).toString("base64")}` });
  const defaults = settingsDefaultsFromEnv(env);
  let nowMs = Date.now();
  const clock: Clock = { now: () => new Date(nowMs) };
  const fleet = await startSimulatedFleet(db, [{ name: "node-c" }, { name: "node-d" }], { timeoutMs: 1_000 });
  try {
    const keyDeps = { db, panelFor: fleet.panelFor, publicUrl: "http://127.0.0.1", clock };
    const first = await getOrCreateKey(keyDeps, { telegramId: 2, nodeId: fleet.node("node-c").id });
    const start = nowMs;
    await fleet.panel("node-c").faults.down();
    let declaredDown = 0;
    for (let tick = 0; tick < 200; tick++) {
      await runHealthSweep({ db, panelFor: fleet.panelFor, clock, settings: defaults.health, concurrency: 4 }, { budgetMs: 10_000 });
      const [node] = await db.select({ health: nodes.healthState }).from(nodes).where(eq(nodes.name, "node-c"));
      if (!declaredDown && node?.health === "unhealthy") declaredDown = (nowMs - start) / 1000;
      await runFleetOperations({ ...keyDeps, clock, notifications: NOTIFY, failover: defaults.failover }, { budgetMs: 10_000 });
      const [moved] = await db
        .select({ link: assignments.shareLink })
        .from(assignments)
        .innerJoin(vpnUsers, eq(vpnUsers.id, assignments.userId))
        .where(and(eq(vpnUsers.telegramId, 2), eq(assignments.state, "active"), eq(assignments.role, "primary")));
      if (moved?.link && moved.link !== first.key) {
        return {
          declaredDown,
          newKey: (nowMs - start) / 1000,
          settings: `HEALTH_INTERVAL_SECONDS=${defaults.health.intervalSeconds}, HEALTH_FALL=${defaults.health.fall}, HEALTH_FALL_WINDOW_SECONDS=${defaults.health.fallWindowSeconds}, FAILOVER_GRACE_SECONDS=${defaults.failover.graceSeconds}`,
        };
      }
      nowMs += defaults.health.intervalSeconds * 1000;
    }
    throw new Error("the user was never moved");
  } finally {
    await fleet.close();
  }
}

/** (c): the standby step's own reads on a fleet-sized database, off and then on with every standby in place. */
async function passCost(): Promise<{ off: number; on: number }> {
  const bench = await createBenchDatabase("bench_standby_pass");
  try {
    const [nodeCount, users] = [1_000, 200_000];
    await seed(bench.raw, [
      // Room for the standbys too: seeding recounts reserved_count over every assignment; it is put right after.
      ...fleetSeedSteps({ nodes: nodeCount, users, nodesCreatedDaysAgo: 1, maxUsers: 500 }),
      ["every node serving, standby places for all", "UPDATE nodes SET health_state = 'healthy', admin_state = 'active', standby_max_users = 300"],
    ]);
    const noPanels = () => {
      throw new Error("the pass had nothing to do and called no panel");
    };
    const run = async (enabled: boolean) => {
      const samples: number[] = [];
      for (let i = 0; i < 10; i++) {
        const started = performance.now();
        const report = await runStandbyPass(
          { db: bench.handle.db, panelFor: noPanels, publicUrl: "http://127.0.0.1", clock: systemClock, notifications: NOTIFY, standby: { enabled, batchSize: 100, keepMovedMs: 0 } },
          10_000,
        );
        samples.push(performance.now() - started);
        if (Object.values(report).some((n) => n > 0)) throw new Error(`the pass did something: ${JSON.stringify(report)}`);
      }
      return percentiles(samples).p50;
    };
    const off = await run(false);
    await seed(bench.raw, [
      [
        `${users.toLocaleString()} standbys, each on the node after its user's key's`,
        `INSERT INTO assignments (user_id, node_id, inbound_id, client_id, client_email, share_link, state, role, created_at, activated_at)
         SELECT a.user_id, n2.id, 1, md5('s' || a.user_id::text), 'fleet-s' || a.user_id, 'vless://' || md5('s' || a.user_id::text) || '@host:443', 'active', 'standby', now(), now()
         FROM assignments a
         JOIN (SELECT id, row_number() OVER (ORDER BY name) - 1 AS k FROM nodes) n1 ON n1.id = a.node_id
         JOIN (SELECT id, row_number() OVER (ORDER BY name) - 1 AS k FROM nodes) n2 ON n2.k = (n1.k + 1) % ${nodeCount}`,
      ],
      ["standby counters", "UPDATE nodes SET standby_reserved_count = c.n FROM (SELECT node_id, count(*)::int AS n FROM assignments WHERE role = 'standby' GROUP BY node_id) c WHERE c.node_id = nodes.id"],
    ]);
    await bench.raw.unsafe("UPDATE nodes SET reserved_count = c.n FROM (SELECT node_id, count(*)::int AS n FROM assignments WHERE role = 'primary' GROUP BY node_id) c WHERE c.node_id = nodes.id");
    return { off, on: await run(true) };
  } finally {
    await bench.drop();
  }
}

async function main(): Promise<void> {
  const bench = await createBenchDatabase("bench_standby");
  try {
    console.log("(a) with a standby: the primary's node dies");
    const seconds = await withStandby(bench.handle.db);
    console.log(`  time to traffic through the standby: ${seconds.toFixed(1)} s (goal ≤ ${GOAL_SECONDS} s) — ${seconds <= GOAL_SECONDS ? "met" : "MISSED"}`);
    await bench.handle.db.execute(sql`TRUNCATE nodes, vpn_users, assignments, events, operations, webhook_deliveries, health_checks CASCADE`);
    console.log("(b) without a standby, default settings (server timeline, simulated clock)");
    const timeline = await withoutStandby(bench.handle.db);
    console.log(`  ${timeline.settings}`);
    console.log(`  first failed check: 0 s; node declared down: ${timeline.declaredDown} s; user's new key: ${timeline.newKey} s`);
    console.log(`  the app keeps the dead key until it re-fetches the subscription (Profile-Update-Interval) or the bot sends the new one`);
  } finally {
    await bench.drop();
  }
  console.log("(c) the standby step's cost per cron run, 1,000 nodes, 200,000 users with a key");
  const cost = await passCost();
  console.log(`  STANDBY_ENABLED off, no standbys: ${cost.off.toFixed(1)} ms; on, every user with a standby: ${cost.on.toFixed(1)} ms (median of 10 runs)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
