/**
 * npm run bench:health [-- --nodes=1000 --hanging=0.1 --timeout=2000 --concurrency=256]
 *
 * One full health sweep over simulated panels started in this process (so the CPU figure covers
 * the sweep and the panels together), a share of them hanging, against a throwaway database on the
 * PostgreSQL server of TEST_DATABASE_URL (default postgres://postgres:postgres@127.0.0.1:5432/postgres).
 * Prints wall time (goal: ≤ 2 × timeout), CPU seconds and database statements per node, for a cold
 * sweep (generation detection + login on every panel) and a warm one (sessions reused).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { parseKeyRing, encryptSecret } from "@/server/crypto/secret-box";
import { runMigrations } from "@/server/db/migrate";
import * as schema from "@/server/db/schema";
import type { Database } from "@/server/db/client";
import { createPanelClientFactory, secretAad } from "@/server/services/nodes/panel-for-node";
import { dnsResolver } from "@/server/services/nodes/panel-address-guard";
import { runHealthSweep, type HealthSweepSummary } from "@/server/services/health/run-health-sweep";
import { DEFAULT_TEST_DATABASE_URL, withDatabase } from "@/server/testing/test-db-url";
import { createPanelClient } from "@/server/x3ui/client";
import { startSimulators } from "@/server/x3ui/simulator";

function arg(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number`);
  return value;
}

const NODES = arg("nodes", 1000);
const HANGING = arg("hanging", 0.1);
const TIMEOUT_MS = arg("timeout", 2000);
const CONCURRENCY = arg("concurrency", 256);
const INTERVAL_SECONDS = 30;

// The bench's only configuration outside argv: where the throwaway database lives, as in the tests.
// eslint-disable-next-line no-restricted-properties
const serverUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;

async function main() {
  const dbName = `bench_health_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  let statements = 0;
  const client = postgres(withDatabase(serverUrl, dbName), { max: 10, onnotice: () => {}, debug: () => void statements++ });
  const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
  const panels = await startSimulators(NODES, { version: "2.8.11" });
  try {
    await runMigrations(db);
    const keyRing = parseKeyRing(`b1:${randomBytes(32).toString("base64")}`);
    const rows = panels.map((panel, i) => {
      const id = randomUUID();
      return {
        id,
        name: `bench-${i}`,
        panelUrl: panel.url,
        panelUsername: panel.username,
        panelSecretEnc: encryptSecret(keyRing, JSON.stringify({ password: panel.password }), secretAad(id)),
        inboundId: panel.inboundId,
      };
    });
    for (let i = 0; i < rows.length; i += 500) await db.insert(schema.nodes).values(rows.slice(i, i + 500));
    const hanging = Math.round(NODES * HANGING);
    for (const panel of panels.slice(0, hanging)) panel.faults.hang = true;

    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs) };
    const deps = {
      db,
      clock,
      concurrency: CONCURRENCY,
      settings: { intervalSeconds: INTERVAL_SECONDS, fall: 3, fallWindowSeconds: 90, rise: 2, timeoutMs: TIMEOUT_MS },
      panelFor: createPanelClientFactory({
        keyRing,
        timeoutMs: TIMEOUT_MS,
        createClient: createPanelClient,
        addressPolicy: { allowPrivate: true, resolve: dnsResolver },
      }),
    };

    console.log(`bench:health — ${NODES} simulated panels (v2.8.11, in-process), ${hanging} hanging, timeout ${TIMEOUT_MS} ms, concurrency ${CONCURRENCY}`);
    console.log(`database: throwaway PostgreSQL database ${dbName} on ${serverUrl.replace(/:[^:@/]+@/, ":***@")} (postgres.js, pool of 10)`);
    for (const label of ["cold", "warm"]) {
      statements = 0;
      const cpu = process.cpuUsage();
      const started = performance.now();
      const summary: HealthSweepSummary = await runHealthSweep(deps, { budgetMs: 120_000 });
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      console.log(
        `${label} sweep: wall ${(wallMs / 1000).toFixed(2)} s (${(wallMs / TIMEOUT_MS).toFixed(2)} × timeout), ` +
          `CPU ${((used.user + used.system) / 1e6).toFixed(2)} s, ` +
          `${statements} statements = ${(statements / Math.max(1, summary.checked)).toFixed(2)} per node; ` +
          `checked ${summary.checked}, healthy ${summary.healthy}, failed ${summary.failed}, inconclusive ${summary.inconclusive}`,
      );
      offsetMs += INTERVAL_SECONDS * 1000;
    }
  } finally {
    await Promise.all(panels.map((p) => p.close()));
    await client.end({ timeout: 5 });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
