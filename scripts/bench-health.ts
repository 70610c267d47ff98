/**
 * npm run bench:health [-- --nodes=1000 --hanging=0.1 --timeout=2000 --concurrency=128 --panels=separate|inline]
 *
 * One full health sweep over simulated panels, a share of them hanging, against a throwaway database on the
 * PostgreSQL server of TEST_DATABASE_URL (default postgres://postgres:postgres@127.0.0.1:5432/postgres).
 * Prints wall time (goal: ≤ 2 × timeout), CPU seconds and database statements per node, for a cold
 * sweep (generation detection + login on every panel), a warm one (sessions reused) and one after a
 * restart (generation persisted by the first sweep, new sessions: the realistic cold start).
 *
 * By default the panels run in a child process (`npm run sim`), as real panels run elsewhere: the
 * CPU figure is then the control plane's alone. `--panels=inline` serves them from this process,
 * so both share one event loop and the CPU figure covers both.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
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

type BenchPanel = { url: string; username: string; password: string; inboundId: number };

function arg(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number`);
  return value;
}

const NODES = arg("nodes", 1000);
const HANGING = arg("hanging", 0.1);
const TIMEOUT_MS = arg("timeout", 2000);
const CONCURRENCY = arg("concurrency", 128); // the app default (HEALTH_CONCURRENCY)
const IS_INLINE = process.argv.includes("--panels=inline");
const INTERVAL_SECONDS = 30;

// The bench's only configuration outside argv: where the throwaway database lives, as in the tests.
const serverUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;

async function main() {
  const dbName = `bench_health_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  let statements = 0;
  const client = postgres(withDatabase(serverUrl, dbName), { max: 10, onnotice: () => {}, debug: () => void statements++ });
  const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
  const hanging = Math.round(NODES * HANGING);
  const { panels, stop } = IS_INLINE ? await inlinePanels(hanging) : await childPanels(hanging);
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

    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs) };
    // A new factory is what a restarted process has: no panel sessions, but the generation each
    // node's first sweep persisted, so only login and status remain.
    const newPanelFactory = () =>
      createPanelClientFactory({ keyRing, timeoutMs: TIMEOUT_MS, createClient: createPanelClient, addressPolicy: { allowPrivate: true, resolve: dnsResolver } });
    const deps = {
      db,
      clock,
      concurrency: CONCURRENCY,
      settings: { intervalSeconds: INTERVAL_SECONDS, fall: 3, fallWindowSeconds: 90, rise: 2, timeoutMs: TIMEOUT_MS },
      panelFor: newPanelFactory(),
    };

    console.log(`bench:health — ${NODES} simulated panels (v2.8.11, ${IS_INLINE ? "in this process" : "in a child process"}), ${hanging} hanging, timeout ${TIMEOUT_MS} ms, concurrency ${CONCURRENCY}`);
    console.log(`database: throwaway PostgreSQL database ${dbName} on ${serverUrl.replace(/:[^:@/]+@/, ":***@")} (postgres.js, pool of 10)`);
    const sweeps = [
      { label: "first sweep (detect + login)", isRestart: false },
      { label: "warm sweep (sessions reused)", isRestart: false },
      { label: "after a restart (login)     ", isRestart: true },
    ];
    for (const { label, isRestart } of sweeps) {
      if (isRestart) deps.panelFor = newPanelFactory();
      statements = 0;
      const cpu = process.cpuUsage();
      const started = performance.now();
      const summary: HealthSweepSummary = await runHealthSweep(deps, { budgetMs: 120_000 });
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      console.log(
        `${label}: wall ${(wallMs / 1000).toFixed(2)} s (${(wallMs / TIMEOUT_MS).toFixed(2)} × timeout), ` +
          `CPU ${((used.user + used.system) / 1e6).toFixed(2)} s, ` +
          `${statements} statements = ${(statements / Math.max(1, summary.checked)).toFixed(2)} per node; ` +
          `checked ${summary.checked}, healthy ${summary.healthy}, failed ${summary.failed}, inconclusive ${summary.inconclusive}`,
      );
      offsetMs += INTERVAL_SECONDS * 1000;
    }
  } finally {
    await stop();
    await client.end({ timeout: 5 });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

async function inlinePanels(hanging: number): Promise<{ panels: BenchPanel[]; stop: () => Promise<void> }> {
  const panels = await startSimulators(NODES, { version: "2.8.11" });
  for (const panel of panels.slice(0, hanging)) panel.faults.hang = true;
  return { panels, stop: async () => void (await Promise.all(panels.map((p) => p.close()))) };
}

/** `npm run sim` in a child process; its first stdout line lists the panels. */
async function childPanels(hanging: number): Promise<{ panels: BenchPanel[]; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(
    "./node_modules/.bin/tsx",
    ["scripts/sim.ts", "--nodes", String(NODES), "--version", "2.8.11", "--hanging", String(hanging)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      lines.close();
      resolve(line);
    });
    child.once("exit", (code) => reject(new Error(`npm run sim exited with ${code} before listing its panels`)));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    panels: JSON.parse(firstLine) as BenchPanel[],
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

await main();
