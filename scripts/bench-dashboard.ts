/**
 * npm run bench:dashboard — server time of the dashboard pages' queries at fleet scale.
 *
 * A throwaway database on the local PostgreSQL (TEST_DATABASE_URL's server, default
 * postgres://postgres:postgres@127.0.0.1:5432/postgres) is migrated and seeded with set-based SQL
 * (generate_series): 1,000 nodes, 1,000,000 users (BENCH_USERS) each holding a key, 30 days of health checks
 * (every 30 s for the last 24 h, every BENCH_OLD_CHECK_SECONDS (default 600) before that — the
 * queries read only the last 24 h raw and the hourly roll-up beyond), 30 days of hourly roll-ups,
 * health transitions, operations with per-user items, audit rows and cron runs. It is dropped at
 * the end.
 *
 * Each page's procedures are called through the tRPC caller as the page calls them (in parallel),
 * after a warm-up; the figure is the page's wall time, p50 and p95 over BENCH_RUNS runs (default
 * 30), plus each procedure alone. Goal: ≤ 100 ms per page at p50 for the overview, the nodes list,
 * the users search and a node's page; the other pages are printed for comparison.
 */
import { randomBytes } from "node:crypto";
import { runOnBenchDatabase, fleetSeedSteps, percentiles, seed, type SeedStep } from "./lib/bench-database";

const env = process.env;
const NODES = 1_000;
const USERS = Number(env.BENCH_USERS ?? 1_000_000);
const DAYS = 30;
const OLD_CHECK_SECONDS = Number(env.BENCH_OLD_CHECK_SECONDS ?? 600);
const RUNS = Number(env.BENCH_RUNS ?? 30);
const GOAL_P50_MS = 100;
env.AUTH_SECRET ??= randomBytes(32).toString("base64url");
env.PANEL_SECRET_KEYS ??= `bench:${randomBytes(32).toString("base64")}`;
env.LOG_LEVEL ??= "warn";

const SEED_STEPS: SeedStep[] = [
  // Room for everyone plus half again, so the balancer still has places to rank.
  ...fleetSeedSteps({ nodes: NODES, users: USERS, nodesCreatedDaysAgo: DAYS + 5, maxUsers: Math.ceil((USERS / NODES) * 1.5) }),
  [
    "health checks, last 24 h every 30 s",
    `INSERT INTO health_checks (node_id, checked_at, is_ok, latency_ms, cpu_percent, xray_state, online_clients)
     SELECT n.id, t, (extract(epoch from t)::bigint + n.k) % 97 <> 0, 20 + (n.k * 37) % 300 + (extract(epoch from t)::bigint % 17), 12.5, 'running', 40
     FROM (SELECT id, row_number() OVER (ORDER BY name) AS k FROM nodes) n,
          generate_series(date_trunc('minute', now()) - interval '24 hours', now(), interval '30 seconds') AS t`,
  ],
  [
    `health checks, days 2–${DAYS} every ${OLD_CHECK_SECONDS} s`,
    `INSERT INTO health_checks (node_id, checked_at, is_ok, latency_ms, cpu_percent, xray_state, online_clients)
     SELECT n.id, t, (extract(epoch from t)::bigint + n.k) % 89 <> 0, 20 + (n.k * 37) % 300, 12.5, 'running', 40
     FROM (SELECT id, row_number() OVER (ORDER BY name) AS k FROM nodes) n,
          generate_series(now() - interval '${DAYS} days', date_trunc('minute', now()) - interval '24 hours 30 seconds', interval '${OLD_CHECK_SECONDS} seconds') AS t`,
  ],
  [
    `hourly roll-ups, ${DAYS} days up to the last completed hour`,
    `INSERT INTO health_hourly (node_id, hour, checks, ok_checks, avg_latency_ms, max_latency_ms)
     SELECT n.id, h, 120, 120 - (n.k + extract(epoch from h)::bigint / 3600) % 3, 20 + (n.k * 37) % 300, 40 + (n.k * 37) % 300
     FROM (SELECT id, row_number() OVER (ORDER BY name) AS k FROM nodes) n,
          generate_series(date_trunc('hour', now()) - interval '${DAYS} days', date_trunc('hour', now()) - interval '1 hour', interval '1 hour') AS h`,
  ],
  [
    "health transitions (20 per node)",
    `INSERT INTO events (kind, severity, node_id, message, data, created_at)
     SELECT CASE WHEN j % 2 = 0 THEN 'node.down' ELSE 'node.up' END, (CASE WHEN j % 2 = 0 THEN 'critical' ELSE 'info' END)::event_severity, n.id,
            'Node ' || n.name || ' changed', CASE WHEN j % 2 = 0 THEN '{"from":"healthy","to":"unhealthy"}'::jsonb ELSE '{"from":"unhealthy","to":"healthy"}'::jsonb END,
            now() - interval '${DAYS} days' + (j * 36 + n.k % 30) * interval '1 hour'
     FROM (SELECT id, name, row_number() OVER (ORDER BY name) AS k FROM nodes) n, generate_series(0, 19) AS j`,
  ],
  [
    "300 operations with 30,000 per-user items",
    `WITH ops AS (
       INSERT INTO operations (kind, status, started_by, total, succeeded, created_at, started_at, finished_at)
       SELECT (ARRAY['failover','drain','rebalance','migration'])[1 + i % 4]::operation_kind, 'succeeded', 'system', 100, 100,
              now() - (i * 144) * interval '1 minute', now() - (i * 144) * interval '1 minute', now() - (i * 144 - 5) * interval '1 minute'
       FROM generate_series(1, 300) AS i RETURNING id, created_at)
     INSERT INTO operation_items (operation_id, status, updated_at)
     SELECT ops.id, 'succeeded', ops.created_at + j * interval '2 seconds' FROM ops, generate_series(1, 100) AS j`,
  ],
  [
    "50,000 audit rows",
    `INSERT INTO audit_log (actor_name, action, target_type, target_id, after, created_at)
     SELECT 'admin' || (i % 5), (ARRAY['node.update','node.create','user.refresh_key','settings.update'])[1 + i % 4], 'node', i::text,
            '{"maxUsers":150}'::jsonb, now() - i * interval '50 seconds'
     FROM generate_series(1, 50000) AS i`,
  ],
  [
    "cron runs every 30 s for 7 days",
    `INSERT INTO cron_runs (trigger, started_at, finished_at, summary)
     SELECT 'http', t, t + interval '2 seconds', '{}'::jsonb FROM generate_series(now() - interval '7 days', now(), interval '30 seconds') AS t`,
  ],
];

runOnBenchDatabase("fleet_bench_dash", async (bench) => {
  // The app modules read the env once, when first asked: point them at the bench database first.
  env.DATABASE_URL = bench.url;
  const { handle, raw } = bench;
  console.log(`bench:dashboard — seeding ${bench.name}`);
  await seed(raw, SEED_STEPS);

  const { createCaller } = await import("@/server/api/root");
  const { createAppContext } = await import("@/server/composition/app-context");
  const { getEnv } = await import("@/server/env");
  const [ownerRow] = await raw<{ id: string }[]>`INSERT INTO admins (username, password_hash, role) VALUES ('bench', 'x', 'owner') RETURNING id`;
  const api = createCaller({ app: createAppContext(getEnv(), handle.db), actor: { adminId: ownerRow!.id, username: "bench", role: "owner", ip: null, userAgent: null } });
  const [sample] = await raw<{ id: string }[]>`SELECT id FROM nodes WHERE health_state = 'unhealthy' ORDER BY name LIMIT 1`;
  const nodeId = sample!.id;

  // The pages held to the goal; the others are printed for comparison.
  const pages: { name: string; hasGoal?: boolean; calls: Record<string, () => Promise<unknown>> }[] = [
    {
      name: "Overview (24 h)",
      hasGoal: true,
      calls: {
        "stats.overview": () => api.stats.overview(),
        "stats.nodeLoad": () => api.stats.nodeLoad(),
        "stats.latency 24h": () => api.stats.latency({ range: "24h" }),
        "stats.healthTimeline 24h": () => api.stats.healthTimeline({ range: "24h" }),
        "stats.daily": () => api.stats.daily(),
        "stats.events": () => api.stats.events({ pageSize: 8 }),
      },
    },
    {
      name: "Overview range switch to 30 d",
      calls: {
        "stats.latency 30d": () => api.stats.latency({ range: "30d" }),
        "stats.healthTimeline 30d": () => api.stats.healthTimeline({ range: "30d" }),
      },
    },
    {
      name: "Overview range switch to 7 d",
      calls: {
        "stats.latency 7d": () => api.stats.latency({ range: "7d" }),
        "stats.healthTimeline 7d": () => api.stats.healthTimeline({ range: "7d" }),
      },
    },
    {
      name: "Nodes (first page of 50)",
      hasGoal: true,
      calls: { "stats.nodeRows": () => api.stats.nodeRows({ page: 1, pageSize: 50 }) },
    },
    {
      name: "Nodes (filtered: name, unhealthy)",
      calls: { "stats.nodeRows filtered": () => api.stats.nodeRows({ page: 1, pageSize: 50, query: "node-0", health: "unhealthy" }) },
    },
    {
      name: "Users (first page of 25)",
      hasGoal: true,
      calls: { "users.search": () => api.users.search({ page: 1, pageSize: 25 }) },
    },
    {
      name: "Users search (username prefix)",
      hasGoal: true,
      calls: { "users.search username": () => api.users.search({ query: "@user4242", page: 1, pageSize: 25 }) },
    },
    {
      name: "Users search (Telegram id)",
      hasGoal: true,
      calls: { "users.search id": () => api.users.search({ query: String(100_000_000 + Math.floor(USERS / 3)), page: 1, pageSize: 25 }) },
    },
    {
      name: "Users (page 400 of 25)",
      calls: { "users.search deep": () => api.users.search({ page: 400, pageSize: 25 }) },
    },
    {
      name: "Node page (24 h)",
      hasGoal: true,
      calls: {
        "nodes.get": () => api.nodes.get({ id: nodeId }),
        "stats.latency node": () => api.stats.latency({ range: "24h", nodeId }),
        "stats.healthTimeline node": () => api.stats.healthTimeline({ range: "24h", nodeId }),
        "stats.recentChecks": () => api.stats.recentChecks({ nodeId }),
        "stats.nodeUsers": () => api.stats.nodeUsers({ nodeId, page: 1, pageSize: 20 }),
        "stats.events node": () => api.stats.events({ nodeId, pageSize: 6 }),
      },
    },
    {
      name: "Audit (first page)",
      calls: { "audit.list": () => api.audit.list({ page: 1, pageSize: 25 }), "audit.facets": () => api.audit.facets() },
    },
  ];

  console.log(`\nServer time per page (procedures in parallel, as the page calls them), ${RUNS} runs after warm-up; goal p50 ≤ ${GOAL_P50_MS} ms`);
  const summary: string[] = [];
  for (const page of pages) {
    const entries = Object.entries(page.calls);
    for (let i = 0; i < 3; i++) await Promise.all(entries.map(([, call]) => call()));
    const pageSamples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await Promise.all(entries.map(([, call]) => call()));
      pageSamples.push(performance.now() - t0);
    }
    const single: string[] = [];
    for (const [label, call] of entries) {
      const samples: number[] = [];
      for (let i = 0; i < Math.min(RUNS, 15); i++) {
        const t0 = performance.now();
        await call();
        samples.push(performance.now() - t0);
      }
      single.push(`    ${label.padEnd(28)} p50 ${percentiles(samples).p50.toFixed(1).padStart(7)} ms`);
    }
    const { p50, p95 } = percentiles(pageSamples);
    const verdict = !page.hasGoal ? "" : p50 <= GOAL_P50_MS ? "ok" : "OVER GOAL";
    const line = `  ${page.name.padEnd(36)} p50 ${p50.toFixed(1).padStart(7)} ms   p95 ${p95.toFixed(1).padStart(7)} ms   ${verdict}`;
    summary.push(line);
    console.log(line);
    console.log(single.join("\n"));
  }
  console.log(`\nSummary (${NODES.toLocaleString()} nodes, ${USERS.toLocaleString()} users, ${DAYS} days of checks):\n${summary.join("\n")}`);
});
