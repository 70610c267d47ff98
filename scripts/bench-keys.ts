/**
 * npm run bench:keys — the key path against the production build, with simulated panels.
 *
 * Setup: a throwaway database on the local PostgreSQL (TEST_DATABASE_URL's server), migrated here;
 * simulated panels started in this process; nodes inserted directly (panel passwords encrypted
 * with a bench key ring); `next start` from NEXT_DIST_DIR (default .next-bench-keys, built first
 * when missing) with ALLOW_PRIVATE_PANELS=true. Requests carry the bearer token only (no HMAC).
 *
 * Figures:
 * 1. Returning user (stored key, no panel call) against a bare route doing one indexed read. The
 *    app has no such route and we add none, so the baseline is composed: GET /api/ping's round
 *    trip (a route doing `SELECT 1`) plus what an indexed read costs over `SELECT 1`, both
 *    measured directly on the database from this process. Sequential requests, p50.
 * 2. New user against the simulator's raw add-client round trip (one POST with a ready session,
 *    no read-back), same simulators. Sequential, p50 — once as fast as the in-memory simulator
 *    answers, once with BENCH_PANEL_LATENCY_MS (default 40) of panel latency, as a remote panel has.
 *    The figure is the overhead: p50 new user − p50 raw add (what the app adds to the panel call:
 *    the route, the database round trips, the writer lease; goal ≤ 5 ms).
 * 3. 50 concurrent clients: throughput and p50/p95/p99 for new users and for returning users.
 * 4. Oversubscription: 3× more concurrent new users than places; live assignments and panel
 *    clients per node must never exceed max_users.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { openDatabase } from "@/server/db/client";
import { runMigrations } from "@/server/db/migrate";
import { nodes } from "@/server/db/schema";
import { encryptSecret, parseKeyRing } from "@/server/crypto/secret-box";
import { secretAad } from "@/server/services/nodes/panel-for-node";
import { CLIENT_EMAIL_PREFIX } from "@/server/services/keys/key-deps";
import { rawAddClientRoundTrip, startSimulators, type SimulatedPanel } from "@/server/x3ui/simulator";
import { DEFAULT_TEST_DATABASE_URL, withDatabase } from "@/server/testing/test-db-url";

// A script, not the app: it reads its own knobs (and passes the app its env) directly.
const env = process.env;
const SERVER_URL = env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
const DIST_DIR = env.NEXT_DIST_DIR ?? ".next-bench-keys";
const PORT = Number(env.BENCH_PORT ?? 3917);
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = randomBytes(24).toString("base64url");
const NODE_COUNT = 4;
const SEQUENTIAL = Number(env.BENCH_SEQUENTIAL ?? 300);
const CONCURRENCY = 50;
const CONCURRENT_TOTAL = Number(env.BENCH_CONCURRENT_TOTAL ?? 2000);
/** A second new-user comparison with this much panel latency: real panels are a WAN round trip away. */
const PANEL_LATENCY_MS = Number(env.BENCH_PANEL_LATENCY_MS ?? 40);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sortNums = (xs: number[]) => [...xs].sort((a, b) => a - b);
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [performance.now() - t0, value];
}

async function postKey(telegramId: number): Promise<Response> {
  return fetch(`${BASE}/api/bot/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ telegramId }),
  });
}

async function sequential(count: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) samples.push((await timed(() => call(i)))[0]);
  return sortNums(samples);
}

async function concurrent(total: number, workers: number, call: (i: number) => Promise<Response>) {
  let next = 0;
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = next++; i < total; i = next++) {
        const [took, response] = await timed(() => call(i));
        await response.arrayBuffer();
        latencies.push(took);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { throughput: total / seconds, sorted: sortNums(latencies), statuses };
}

function ensureBuild(): void {
  if (existsSync(path.join(DIST_DIR, "BUILD_ID"))) return;
  console.log(`building into ${DIST_DIR} …`);
  const build = spawnSync("./node_modules/.bin/next", ["build"], { stdio: "inherit", env: { ...env, NEXT_DIST_DIR: DIST_DIR } });
  if (build.status !== 0) throw new Error(`next build failed (exit ${build.status}); fix the build, or point NEXT_DIST_DIR at a finished one`);
}

async function waitForPing(server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode}`);
    const ok = await fetch(`${BASE}/api/ping`).then((r) => r.ok).catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("next start did not answer /api/ping within 60 s");
}

async function main() {
  ensureBuild();
  const dbName = `bench_keys_${randomBytes(4).toString("hex")}`;
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const url = withDatabase(SERVER_URL, dbName);
  const handle = await openDatabase({ url, maxConnections: 4 });
  const direct = postgres(url, { max: 1, onnotice: () => {} });
  let server: ChildProcess | undefined;
  let panels: SimulatedPanel[] = [];
  try {
    await runMigrations(handle.db);
    panels = await startSimulators(NODE_COUNT, { version: "g3" });
    const keySpec = `b1:${randomBytes(32).toString("base64")}`;
    const ring = parseKeyRing(keySpec);
    const nodeRows = panels.map((panel, i) => {
      const id = randomUUID();
      return {
        id,
        name: `bench-${i + 1}`,
        location: i % 2 ? "NL" : "DE",
        panelUrl: panel.url,
        panelUsername: panel.username,
        panelSecretEnc: encryptSecret(ring, JSON.stringify({ password: panel.password }), secretAad(id)),
        inboundId: panel.inboundId,
        apiGeneration: panel.generation,
        maxUsers: 100_000,
        healthState: "healthy" as const,
      };
    });
    await handle.db.insert(nodes).values(nodeRows);

    server = spawn("./node_modules/.bin/next", ["start", "-p", String(PORT), "-H", "127.0.0.1"], {
      env: {
        ...env,
        NODE_ENV: "production",
        NEXT_DIST_DIR: DIST_DIR,
        DATABASE_URL: url,
        AUTH_SECRET: randomBytes(32).toString("base64url"),
        PANEL_SECRET_KEYS: keySpec,
        BOT_API_TOKEN: TOKEN,
        BOT_SIGNING_SECRET: "",
        ALLOW_PRIVATE_PANELS: "true",
        INTERNAL_CRON_SECONDS: "0",
        ADMIN_USERNAME: "bench",
        ADMIN_PASSWORD: randomBytes(12).toString("base64url"),
        LOG_LEVEL: "error",
        // Rate limits on (every bot call and new key counts in PostgreSQL), set high enough never to refuse the benchmark.
        RATE_LIMIT_BOT_PER_MINUTE: env.RATE_LIMIT_BOT_PER_MINUTE ?? "100000000",
        RATE_LIMIT_NEW_KEYS_PER_HOUR: env.RATE_LIMIT_NEW_KEYS_PER_HOUR ?? "1000",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    await waitForPing(server);

    // Warm-up: JIT, panel sessions, connection pools.
    for (let i = 0; i < 40; i++) await (await postKey(1_000_000 + i)).arrayBuffer();
    for (let i = 0; i < 40; i++) await (await fetch(`${BASE}/api/ping`)).arrayBuffer();

    // 2. New users, sequential, against the raw add-client round trip on the same simulators.
    const newUser = await sequential(SEQUENTIAL, async (i) => {
      const r = await postKey(2_000_000 + i);
      if (r.status !== 200) throw new Error(`new user: HTTP ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    });
    const rawAdd = await sequential(SEQUENTIAL, (i) =>
      rawAddClientRoundTrip(panels[i % panels.length] as SimulatedPanel, { email: `raw-${i}-${randomBytes(3).toString("hex")}`, id: randomUUID() }),
    );

    for (const panel of panels) panel.faults.latencyMs = PANEL_LATENCY_MS;
    const slowCount = Math.min(SEQUENTIAL, 100);
    const newUserSlow = await sequential(slowCount, async (i) => {
      const r = await postKey(2_500_000 + i);
      if (r.status !== 200) throw new Error(`new user: HTTP ${r.status}`);
      await r.arrayBuffer();
    });
    const rawAddSlow = await sequential(slowCount, (i) =>
      rawAddClientRoundTrip(panels[i % panels.length] as SimulatedPanel, { email: `raw-slow-${i}-${randomBytes(3).toString("hex")}`, id: randomUUID() }),
    );
    for (const panel of panels) panel.faults.latencyMs = 0;

    // 1. Returning users, sequential, against ping + (indexed read − SELECT 1).
    const returning = await sequential(SEQUENTIAL, async (i) => {
      const r = await postKey(2_000_000 + (i % SEQUENTIAL));
      if (r.status !== 200) throw new Error(`returning user: HTTP ${r.status}`);
      await r.arrayBuffer();
    });
    const ping = await sequential(SEQUENTIAL, async () => (await fetch(`${BASE}/api/ping`)).arrayBuffer());
    const indexedRead = await sequential(SEQUENTIAL, (i) => direct`SELECT id, subscription_token FROM vpn_users WHERE telegram_id = ${2_000_000 + (i % SEQUENTIAL)}`);
    const selectOne = await sequential(SEQUENTIAL, () => direct`SELECT 1`);
    const baseline = percentile(ping, 50) + Math.max(0, percentile(indexedRead, 50) - percentile(selectOne, 50));

    // 3. 50 concurrent clients.
    const newConcurrent = await concurrent(CONCURRENT_TOTAL, CONCURRENCY, (i) => postKey(3_000_000 + i));
    const returningConcurrent = await concurrent(CONCURRENT_TOTAL, CONCURRENCY, (i) => postKey(3_000_000 + i));

    // 4. Oversubscription: cap every node just above its current count, then 3× the free places at once.
    const roomPerNode = 25;
    await handle.db.update(nodes).set({ maxUsers: sql`${nodes.reservedCount} + ${roomPerNode}` });
    const places = roomPerNode * NODE_COUNT;
    const race = await concurrent(places * 3, CONCURRENCY * 2, (i) => postKey(4_000_000 + i));
    const perNode = await direct<{ name: string; max_users: number; reserved_count: number; live: number }[]>`
      SELECT n.name, n.max_users, n.reserved_count,
             (SELECT count(*)::int FROM assignments a WHERE a.node_id = n.id AND a.state IN ('pending', 'active')) AS live
      FROM nodes n ORDER BY n.name`;
    let oversubscribed = 0;
    for (const row of perNode) {
      const panel = panels[nodeRows.findIndex((n) => n.name === row.name)] as SimulatedPanel;
      const onPanel = panel.state.clients().filter((c) => String(c.email).startsWith(CLIENT_EMAIL_PREFIX)).length;
      oversubscribed += Math.max(0, row.live - row.max_users) + Math.max(0, onPanel - row.max_users) + (row.reserved_count === row.live ? 0 : 1);
    }

    const line = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`);
    console.log("\nbench:keys — production build, PostgreSQL, %d simulated g3 panels\n", NODE_COUNT);
    line("returning user p50 (POST /api/bot/keys, stored key)", ms(percentile(returning, 50)));
    line("baseline p50: ping + (indexed read − SELECT 1)", `${ms(baseline)}  (ping ${ms(percentile(ping, 50))}, read ${ms(percentile(indexedRead, 50))}, SELECT 1 ${ms(percentile(selectOne, 50))})`);
    line("returning / baseline (goal ≤ 1.5×)", `${(percentile(returning, 50) / baseline).toFixed(2)}×`);
    line("new user p50 (POST /api/bot/keys, panel add)", ms(percentile(newUser, 50)));
    line("raw add-client round trip p50 (simulator)", ms(percentile(rawAdd, 50)));
    line("new-user overhead: p50 new user − p50 raw add (goal ≤ 5 ms)", ms(percentile(newUser, 50) - percentile(rawAdd, 50)));
    line(
      `with ${PANEL_LATENCY_MS} ms panel latency: new user p50 − raw add p50`,
      `${ms(percentile(newUserSlow, 50))} − ${ms(percentile(rawAddSlow, 50))} = ${ms(percentile(newUserSlow, 50) - percentile(rawAddSlow, 50))}`,
    );
    for (const [label, run] of [["new users", newConcurrent], ["returning users", returningConcurrent]] as const) {
      line(
        `${CONCURRENCY} concurrent, ${label}: throughput`,
        `${run.throughput.toFixed(0)} req/s; p50 ${ms(percentile(run.sorted, 50))}, p95 ${ms(percentile(run.sorted, 95))}, p99 ${ms(percentile(run.sorted, 99))}; statuses ${JSON.stringify(Object.fromEntries(run.statuses))}`,
    );
    }
    line(`oversubscription race: ${places * 3} new users for ${places} places`, `statuses ${JSON.stringify(Object.fromEntries(race.statuses))}`);
    line("oversubscription (live or panel clients over max, or count drift)", String(oversubscribed));
    if (oversubscribed !== 0) process.exitCode = 1;
  } finally {
    if (server && server.exitCode === null) server.kill("SIGTERM");
    await Promise.all(panels.map((p) => p.close()));
    await direct.end();
    await handle.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
