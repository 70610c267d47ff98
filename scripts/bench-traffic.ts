/**
 * npm run bench:traffic [-- --nodes=1000 --users=100 --concurrency=32 --timeout=2000]
 *
 * The traffic ledger at fleet size: `nodes` simulated panels (v2.8.11, served from this process)
 * with `users` clients each, every client moving bytes, against a throwaway database on the
 * PostgreSQL server of TEST_DATABASE_URL. Prints, for one ledger pass over every node: wall time
 * (against the cron budget, CRON_BUDGET_MS default 25 s), CPU seconds (control plane and panels
 * together: they share this process), panel calls and database statements per node — for the
 * first pass (every counter seen for the first time), a steady pass (every counter moved) and an
 * idle pass (nothing moved). Then the rows the roll-ups add: measured over one hour of passes,
 * and per day when every user moves bytes every hour (the worst case), with the table sizes that
 * the retention (35 days per user-hour, 90 per node-hour) keeps.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { encryptSecret, parseKeyRing } from "@/server/crypto/secret-box";
import { createFleetMetrics } from "@/server/metrics/fleet-metrics";
import type { Database } from "@/server/db/client";
import { rowsOf } from "@/server/db/migrate";
import * as schema from "@/server/db/schema";
import { CLIENT_EMAIL_PREFIX } from "@/server/services/keys/key-deps";
import { dnsResolver } from "@/server/services/nodes/panel-address-guard";
import { countPanelCalls } from "@/server/services/metrics/count-panel-calls";
import { createPanelClientFactory, secretAad } from "@/server/services/nodes/panel-for-node";
import { runTrafficPass, type TrafficPassReport } from "@/server/services/traffic/run-traffic-pass";
import { NODE_HOURS_RETENTION_DAYS, USER_HOURS_RETENTION_DAYS } from "@/server/services/traffic/traffic-history";
import type { TrafficDeps } from "@/server/services/traffic/traffic-deps";
import { createPanelClient } from "@/server/x3ui/client";
import { startSimulators, type SimulatedPanel } from "@/server/x3ui/simulator";
import { createBenchDatabase } from "./lib/bench-database";

function arg(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number above 0`);
  return value;
}

const NODES = arg("nodes", 1000);
const USERS = arg("users", 100);
const CONCURRENCY = arg("concurrency", 32); // the app's (app-context.ts)
const TIMEOUT_MS = arg("timeout", 2000);
const CRON_BUDGET_MS = 25_000; // CRON_BUDGET_MS's default
const INTERVAL_MS = 60_000; // TRAFFIC_INTERVAL_SECONDS's default
const HOUR_MS = 3_600_000;

const emailOf = (telegramId: number) => `${CLIENT_EMAIL_PREFIX}${telegramId}-bench`;

async function main() {
  const bench = await createBenchDatabase("bench_traffic");
  let statements = 0;
  const client = postgres(bench.url, { max: 10, onnotice: () => {}, debug: () => void statements++ });
  const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
  let panelCalls = 0;
  const panels = await startSimulators(NODES, { version: "2.8.11", trafficPollMs: 0 });
  try {
    console.log(`bench:traffic — ${NODES.toLocaleString()} simulated panels (v2.8.11, in this process) × ${USERS} users, concurrency ${CONCURRENCY}, timeout ${TIMEOUT_MS} ms`);
    console.log(`database: throwaway PostgreSQL database ${bench.name} (postgres.js, pool of 10)`);
    const keyRing = parseKeyRing(`b1:${randomBytes(32).toString("base64")}`);
    const nodeRows = panels.map((panel, i) => {
      const id = randomUUID();
      return {
        id,
        name: `bench-${String(i).padStart(5, "0")}`,
        panelUrl: panel.url,
        panelUsername: panel.username,
        panelSecretEnc: encryptSecret(keyRing, JSON.stringify({ password: panel.password }), secretAad(id)),
        inboundId: panel.inboundId,
        healthState: "healthy" as const,
        maxUsers: USERS,
        reservedCount: USERS,
      };
    });
    for (let i = 0; i < nodeRows.length; i += 500) await db.insert(schema.nodes).values(nodeRows.slice(i, i + 500));
    // User k·USERS + j (j = 1…USERS) holds a client on node k: the same emails in the database and on the panels.
    await bench.raw.unsafe(`
      INSERT INTO vpn_users (telegram_id, username, subscription_token, traffic_limit_bytes)
      SELECT i, 'u' || i, md5('sub' || i), 1099511627776 FROM generate_series(1, ${NODES * USERS}) AS i`);
    await bench.raw.unsafe(`
      INSERT INTO assignments (user_id, node_id, inbound_id, client_id, client_email, share_link, state)
      SELECT u.id, n.id, n.inbound_id, md5(u.id::text), '${CLIENT_EMAIL_PREFIX}' || u.telegram_id || '-bench', 'vless://x@h:443', 'active'
      FROM vpn_users u JOIN (SELECT id, inbound_id, row_number() OVER (ORDER BY name) - 1 AS k FROM nodes) n ON n.k = (u.telegram_id - 1) / ${USERS}`);
    await bench.raw.unsafe("VACUUM ANALYZE");
    panels.forEach((panel, k) =>
      panel.state.addClients(
        panel.inboundId,
        Array.from({ length: USERS }, (_, j) => ({ id: randomUUID(), email: emailOf(k * USERS + j + 1), enable: true, flow: "", limitIp: 0, totalGB: 0, expiryTime: 0, tgId: 0, subId: "", reset: 0 })),
      ),
    );

    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs) };
    const panelFor = createPanelClientFactory({ keyRing, timeoutMs: TIMEOUT_MS, createClient: createPanelClient, addressPolicy: { allowPrivate: true, resolve: dnsResolver } });
    const deps: TrafficDeps = {
      db,
      // Counts listClientTraffic and whatever else the pass asks a panel (a login counts inside its call).
      panelFor: countPanelCalls(panelFor, { ...createFleetMetrics({ instance: "bench" }), panelCall: () => void panelCalls++ }),
      publicUrl: "https://fleet.example.com",
      clock,
      notifications: { webhook: null, telegram: null },
      expiringDays: 0,
      intervalMs: INTERVAL_MS,
      concurrency: CONCURRENCY,
      timeoutMs: TIMEOUT_MS,
    };
    const moveBytes = (panel: SimulatedPanel, k: number, round: number) => {
      for (let j = 1; j <= USERS; j++) panel.state.flow(emailOf(k * USERS + j), 1_000 * round + j, 10_000 * round + j);
      panel.state.poll();
    };
    const countRows = async () => {
      const [row] = await bench.raw<{ user_hours: number; node_hours: number; counters: number }[]>`
        SELECT (SELECT count(*) FROM user_traffic_hourly)::int AS user_hours, (SELECT count(*) FROM node_traffic_hourly)::int AS node_hours,
               (SELECT count(*) FROM traffic_counters)::int AS counters`;
      return row!;
    };
    const pass = async (label: string, round: number | null) => {
      if (round !== null) panels.forEach((panel, k) => moveBytes(panel, k, round));
      offsetMs += INTERVAL_MS + 1;
      statements = 0;
      panelCalls = 0;
      const cpu = process.cpuUsage();
      const started = performance.now();
      // A budget no pass reaches, to time one whole pass; the cron's own budget is printed beside it.
      const report: TrafficPassReport = await runTrafficPass(deps, { budgetMs: 600_000 });
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      console.log(
        `${label}: wall ${(wallMs / 1000).toFixed(2)} s (${((wallMs / CRON_BUDGET_MS) * 100).toFixed(0)}% of the 25 s cron budget), ` +
          `CPU ${((used.user + used.system) / 1e6).toFixed(2)} s, ${(panelCalls / Math.max(1, report.nodes)).toFixed(2)} panel calls and ` +
          `${(statements / Math.max(1, report.nodes)).toFixed(2)} statements per node; ` +
          `nodes ${report.nodes}, failed ${report.failed}, readings ${report.readings.toLocaleString()}, applied ${report.applied.toLocaleString()}`,
      );
      return report;
    };

    await pass("first pass (every counter new)", 1);
    await pass("steady pass (every counter moved)", 2);
    await pass("idle pass (nothing moved)   ", null);
    // The roll-ups of one full hour of passes: every user moved bytes in it.
    offsetMs = Math.ceil((Date.now() + offsetMs) / HOUR_MS) * HOUR_MS - Date.now() + 1_000;
    const before = await countRows();
    for (let round = 3; round <= 5; round++) await pass(`pass ${round - 2} of this hour`, round);
    const after = await countRows();
    const userHours = after.user_hours - before.user_hours;
    const nodeHours = after.node_hours - before.node_hours;
    const sizes = rowsOf<{ user_bytes: string; node_bytes: string; counter_bytes: string }>(
      await db.execute(sql`SELECT pg_total_relation_size('user_traffic_hourly') AS user_bytes, pg_total_relation_size('node_traffic_hourly') AS node_bytes,
        pg_total_relation_size('traffic_counters') AS counter_bytes`),
    )[0]!;
    const perUserRow = Number(sizes.user_bytes) / Math.max(1, after.user_hours);
    const perNodeRow = Number(sizes.node_bytes) / Math.max(1, after.node_hours);
    console.log(
      `roll-ups: one hour of passes added ${userHours.toLocaleString()} user-hour rows and ${nodeHours.toLocaleString()} node-hour rows ` +
        `(one per active user and per node, however many passes); counters stay at ${after.counters.toLocaleString()} rows (one per client)`,
    );
    const perDay = { user: userHours * 24, node: nodeHours * 24 };
    console.log(
      `per day, every user active every hour: ${perDay.user.toLocaleString()} user-hour rows + ${perDay.node.toLocaleString()} node-hour rows ` +
        `(≈ ${((perDay.user * perUserRow + perDay.node * perNodeRow) / 1024 ** 2).toFixed(0)} MB with indexes); kept ${USER_HOURS_RETENTION_DAYS} / ${NODE_HOURS_RETENTION_DAYS} days: ` +
        `≈ ${((perDay.user * USER_HOURS_RETENTION_DAYS * perUserRow + perDay.node * NODE_HOURS_RETENTION_DAYS * perNodeRow) / 1024 ** 3).toFixed(1)} GB at most`,
    );
  } finally {
    await Promise.all(panels.map((p) => p.close()));
    await client.end({ timeout: 5 });
    await bench.drop();
  }
}

await main();
