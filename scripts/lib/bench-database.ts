/**
 * Shared by the benchmarks that need a fleet-sized database: a throwaway database on the local
 * PostgreSQL (TEST_DATABASE_URL's server), migrated, seeded with set-based SQL (generate_series),
 * analyzed, and dropped at the end; plus percentiles of timing samples.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import type { DatabaseHandle } from "@/server/db/client";
import { DEFAULT_TEST_DATABASE_URL, withDatabase } from "@/server/testing/test-db-url";

export type SeedStep = [label: string, statement: string];

/**
 * 1,000-node-style fleet: nodes (every 50th unhealthy, every 20th degraded, every 100th draining),
 * users, one live key each, spread evenly; `maxUsers` per node (default 150) must hold users / nodes.
 */
export function fleetSeedSteps(options: { nodes: number; users: number; nodesCreatedDaysAgo: number; maxUsers?: number }): SeedStep[] {
  return [
    [
      `${options.nodes.toLocaleString()} nodes`,
      `INSERT INTO nodes (name, location, panel_url, panel_username, inbound_id, max_users, reserved_count, priority, weight,
                          health_state, admin_state, last_check_at, last_latency_ms, panel_version, api_generation, xray_version, created_at)
       SELECT 'node-' || lpad(i::text, 4, '0'), (ARRAY['Frankfurt','Amsterdam','Helsinki','Warsaw','Riga'])[1 + i % 5],
              'https://panel-' || i || '.example.com:2053/p/', 'admin', 1, ${options.maxUsers ?? 150}, 0, 100, 1,
              (CASE WHEN i % 50 = 0 THEN 'unhealthy' WHEN i % 20 = 0 THEN 'degraded' ELSE 'healthy' END)::node_health_state,
              (CASE WHEN i % 100 = 1 THEN 'draining' ELSE 'active' END)::node_admin_state,
              now() - interval '10 seconds', 20 + (i * 37) % 300, '2.8.11', 'g3', '25.3.6', now() - interval '${options.nodesCreatedDaysAgo} days'
       FROM generate_series(1, ${options.nodes}) AS i`,
    ],
    [
      `${options.users.toLocaleString()} users`,
      `INSERT INTO vpn_users (telegram_id, username, subscription_token, created_at)
       SELECT 100000000 + i, 'user' || i, md5('sub' || i), now() - (i % (30 * 24 * 60)) * interval '1 minute'
       FROM generate_series(1, ${options.users}) AS i`,
    ],
    [
      `${options.users.toLocaleString()} live assignments`,
      `INSERT INTO assignments (user_id, node_id, inbound_id, client_id, client_email, share_link, state, placement_reason, created_at, activated_at)
       SELECT u.id, n.id, 1, md5(u.id::text), 'fleet-' || u.telegram_id, 'vless://' || md5(u.id::text) || '@host:443', 'active',
              jsonb_build_object('strategy', CASE WHEN u.telegram_id % 10 = 0 THEN 'migration' ELSE 'balancer' END, 'candidates', '[]'::jsonb, 'chosenNodeId', n.id),
              u.created_at, u.created_at
       FROM vpn_users u
       JOIN (SELECT id, row_number() OVER (ORDER BY name) - 1 AS k FROM nodes) n ON n.k = u.telegram_id % ${options.nodes}`,
    ],
  ];
}

export type BenchDatabase = { name: string; url: string; handle: DatabaseHandle; raw: postgres.Sql; drop: () => Promise<void> };

/** A fresh, migrated database named `<prefix>_<random>`. */
export async function createBenchDatabase(prefix: string, serverUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL): Promise<BenchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  const url = withDatabase(serverUrl, name);
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const { openDatabase } = await import("@/server/db/client");
  const { runMigrations } = await import("@/server/db/migrate");
  const handle = await openDatabase({ url, maxConnections: 10 });
  const raw = postgres(url, { max: 1, onnotice: () => {} });
  await runMigrations(handle.db);
  return {
    name,
    url,
    handle,
    raw,
    drop: async () => {
      await raw.end();
      await handle.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/**
 * Runs `body` on a fresh bench database, drops the database whatever happens, and ends the
 * process — 0, or 1 with the error printed (the app's pools would otherwise keep it running).
 */
export function runOnBenchDatabase(prefix: string, body: (bench: BenchDatabase) => Promise<void>): void {
  const run = async () => {
    const bench = await createBenchDatabase(prefix);
    try {
      await body(bench);
    } finally {
      await bench.drop();
    }
  };
  run().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/** Runs the steps in order, printing rows and time, then fixes reserved counts and analyzes. */
export async function seed(raw: postgres.Sql, steps: SeedStep[]): Promise<void> {
  const started = performance.now();
  for (const [label, statement] of steps) {
    const t0 = performance.now();
    const result = await raw.unsafe(statement);
    console.log(`  ${label}: ${result.count.toLocaleString()} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  await raw.unsafe(`UPDATE nodes SET reserved_count = c.n FROM (SELECT node_id, count(*)::int AS n FROM assignments GROUP BY node_id) c WHERE c.node_id = nodes.id`);
  await raw.unsafe("VACUUM ANALYZE");
  console.log(`  seeded and analyzed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

export type Percentiles = { p50: number; p95: number; max: number };

export function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? Number.NaN };
}
