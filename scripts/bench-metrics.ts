/**
 * npm run bench:metrics — what one Prometheus scrape of GET /api/metrics costs at fleet scale.
 *
 * A throwaway database on the local PostgreSQL (TEST_DATABASE_URL's server) is seeded with 1,000
 * nodes, 100,000 users each holding a key, 20,000 finished operations, 100,000 delivered and 500
 * pending or failed notifications and a failover hold; this replica's own series are filled as a
 * day of sweeps would (a check outcome, a latency histogram, panel calls and errors, transitions
 * and keys for every node). Then the route handler is called as Prometheus calls it, BENCH_RUNS
 * times (default 30) after a warm-up: wall time per scrape (p50, p95, max), the part spent reading
 * the database, the body's size and its number of series. Goal: p95 ≤ 250 ms.
 */
import { randomBytes } from "node:crypto";
import { runOnBenchDatabase, fleetSeedSteps, percentiles, seed } from "./lib/bench-database";

const env = process.env;
env.LOG_LEVEL ??= "warn";
const NODES = 1_000;
const USERS = 100_000;
const RUNS = Number(env.BENCH_RUNS ?? 30);
const GOAL_MS = 250;
const TOKEN = randomBytes(24).toString("base64url");

runOnBenchDatabase("fleet_bench_metrics", async (bench) => {
  console.log(`bench:metrics — seeding ${bench.name}`);
  await seed(bench.raw, [
    ...fleetSeedSteps({ nodes: NODES, users: USERS, nodesCreatedDaysAgo: 35 }),
    [
      "20,000 finished operations and 5 open ones",
      `INSERT INTO operations (kind, status, started_by, created_at, finished_at)
       SELECT (ARRAY['failover','drain','rebalance','migration','reconcile'])[1 + i % 5]::operation_kind,
              (CASE WHEN i <= 5 THEN 'running' WHEN i % 17 = 0 THEN 'partial' WHEN i % 23 = 0 THEN 'failed' ELSE 'succeeded' END)::operation_status,
              'system', now() - i * interval '1 minute', CASE WHEN i <= 5 THEN NULL ELSE now() - i * interval '1 minute' END
       FROM generate_series(1, 20005) AS i`,
    ],
    [
      "100,500 notifications (100,000 delivered, 400 pending, 100 failed)",
      `INSERT INTO webhook_deliveries (channel, event, payload, status, attempts, created_at, delivered_at)
       SELECT (CASE WHEN i % 10 = 0 THEN 'telegram' ELSE 'webhook' END)::notification_channel, 'key.moved', '{}'::jsonb,
              (CASE WHEN i <= 400 THEN 'pending' WHEN i <= 500 THEN 'failed' ELSE 'delivered' END)::delivery_status, 1,
              now() - i * interval '10 seconds', CASE WHEN i > 500 THEN now() - i * interval '10 seconds' END
       FROM generate_series(1, 100500) AS i`,
    ],
    ["a failover hold and a week of cron runs", `INSERT INTO events (kind, severity, message, created_at) VALUES ('failover.held', 'critical', 'bench', now() - interval '1 hour')`],
    [
      "cron runs every 30 s for 7 days",
      `INSERT INTO cron_runs (trigger, started_at, finished_at, summary)
       SELECT 'http', t, t + interval '2 seconds', '{}'::jsonb FROM generate_series(now() - interval '7 days', now(), interval '30 seconds') AS t`,
    ],
  ]);

  const { createAppContext } = await import("@/server/composition/app-context");
  const { parseEnv } = await import("@/server/env");
  const { GET } = await import("@/app/api/metrics/route");
  const app = createAppContext(
    parseEnv({ NODE_ENV: "production", DATABASE_URL: bench.url, AUTH_SECRET: randomBytes(32).toString("base64url"), PANEL_SECRET_KEYS: `b:${randomBytes(32).toString("base64")}`, METRICS_TOKEN: TOKEN, INSTANCE_ID: "bench-1" }),
    bench.handle.db,
  );
  // A day of this replica's own events, for every node: what its counters and histograms hold.
  const nodes = await bench.raw<{ id: string; name: string }[]>`SELECT id, name FROM nodes`;
  for (const [i, node] of nodes.entries()) {
    for (let check = 0; check < 50; check++) app.metrics.healthCheck(node, check % 40 === 0 ? "unreachable" : "ok", check % 40 === 0 ? null : 20 + ((i * 37 + check) % 400));
    app.metrics.healthSweep({ transitions: i % 50 === 0 ? [{ nodeId: node.id, name: node.name, to: "unhealthy" }] : [], skipped: 0, inconclusive: false });
    app.metrics.panelCall(node, null);
    if (i % 10 === 0) app.metrics.panelCall(node, i % 20 === 0 ? "timeout" : "unreachable");
    app.metrics.keyPlaced("issued", node);
    if (i % 3 === 0) app.metrics.keyPlaced("refreshed", node);
  }

  const scrape = GET.withApp(app);
  const request = () => new Request("http://bench/api/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
  const once = async () => {
    const t0 = performance.now();
    const response = await scrape(request(), { params: Promise.resolve({}) });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`scrape answered ${response.status}: ${body.slice(0, 200)}`);
    return { ms: performance.now() - t0, body };
  };
  for (let i = 0; i < 3; i++) await once();
  const wall: number[] = [];
  const reads: number[] = [];
  let body = "";
  for (let i = 0; i < RUNS; i++) {
    const result = await once();
    wall.push(result.ms);
    body = result.body;
    reads.push(1000 * Number(/^fleet_scrape_fleet_state_duration_seconds (\S+)$/m.exec(body)?.[1] ?? Number.NaN));
  }
  const series = body.split("\n").filter((line) => line && !line.startsWith("#")).length;
  const w = percentiles(wall);
  const r = percentiles(reads);
  console.log(`\nOne scrape at ${NODES.toLocaleString()} nodes, ${USERS.toLocaleString()} users, ${RUNS} runs after warm-up; goal p95 ≤ ${GOAL_MS} ms`);
  console.log(`  whole scrape        p50 ${w.p50.toFixed(1).padStart(6)} ms   p95 ${w.p95.toFixed(1).padStart(6)} ms   max ${w.max.toFixed(1).padStart(6)} ms   ${w.p95 <= GOAL_MS ? "ok" : "OVER GOAL"}`);
  console.log(`  database read       p50 ${r.p50.toFixed(1).padStart(6)} ms   p95 ${r.p95.toFixed(1).padStart(6)} ms   max ${r.max.toFixed(1).padStart(6)} ms`);
  console.log(`  body                ${(Buffer.byteLength(body) / 1024).toFixed(0)} KiB, ${series.toLocaleString()} series`);
});
