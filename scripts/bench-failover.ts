/**
 * npm run bench:failover [-- --users=1000 --targets=4 --batch=200 --concurrency=8]
 *
 * 1,000 users on a node that dies; grace 0. Simulated panels run in this process, against a
 * throwaway database on the PostgreSQL server of TEST_DATABASE_URL (default
 * postgres://postgres:postgres@127.0.0.1:5432/postgres). The node is declared down by a real health
 * sweep (fall 1); from then on the fleet-operations cron step is pinged back to back, each ping
 * moving one batch, until every user is on a live node. Prints the time from declared-down to
 * all migrated (goal ≤ 60 s), pings, operations, items, panel calls and database statements,
 * and checks the end state: capacity exact, one client per user, on a live panel.
 */
import { randomBytes } from "node:crypto";
import { and, count, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { rowsOf, runMigrations } from "@/server/db/migrate";
import * as schema from "@/server/db/schema";
import { assignments, nodes, operationItems, operations } from "@/server/db/schema";
import type { Database } from "@/server/db/client";
import type { Clock } from "@/server/services/clock";
import { runHealthSweep } from "@/server/services/health/run-health-sweep";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { CLIENT_EMAIL_PREFIX, type PanelFactory } from "@/server/services/keys/key-deps";
import { startSimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { runFleetOperations } from "@/server/services/migration/run-fleet-operations";
import { DEFAULT_TEST_DATABASE_URL, withDatabase } from "@/server/testing/test-db-url";
import type { PanelClient } from "@/server/x3ui/types";

function arg(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const USERS = arg("users", 1000);
const TARGETS = arg("targets", 4);
const BATCH = arg("batch", 200);
const CONCURRENCY = arg("concurrency", 8);
const PING_BUDGET_MS = 25_000;

// The bench's only configuration outside argv: where the throwaway database lives, as in the tests.
const serverUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;

/** Counts panel calls per method, as the production factory's clients would make them. */
function counting(panelFor: PanelFactory): { factory: PanelFactory; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const wrapped = new Map<string, PanelClient>();
  const factory: PanelFactory = (node) => {
    let client = wrapped.get(node.id);
    if (!client) {
      const inner = panelFor(node);
      client = new Proxy(inner, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      }) as PanelClient;
      wrapped.set(node.id, client);
    }
    return client;
  };
  return { factory, calls };
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: size }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}

async function main() {
  const dbName = `bench_failover_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  let statements = 0;
  const client = postgres(withDatabase(serverUrl, dbName), { max: 20, onnotice: () => {}, debug: () => void statements++ });
  const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
  await runMigrations(db);
  const perTarget = Math.ceil((USERS * 1.25) / TARGETS);
  const fleet = await startSimulatedFleet(db, [
    { name: "dying", maxUsers: USERS },
    ...Array.from({ length: TARGETS }, (_, i) => ({ name: `target-${i + 1}`, maxUsers: perTarget, adminState: "disabled" as const })),
  ]);
  try {
    console.log(`seeding ${USERS} users on "dying" …`);
    const publicUrl = "https://fleet.example.com";
    await pool(Array.from({ length: USERS }, (_, i) => 100_000 + i), 16, (telegramId) => getOrCreateKey({ db, panelFor: fleet.panelFor, publicUrl }, { telegramId }));
    await db.update(nodes).set({ adminState: "active" }).where(sql`${nodes.name} <> 'dying'`);

    const { factory, calls } = counting(fleet.panelFor);
    const clock: Clock = { now: () => new Date() };
    await fleet.panel("dying").faults.down();
    const sweep = await runHealthSweep(
      { db, panelFor: factory, clock, settings: { intervalSeconds: 5, fall: 1, fallWindowSeconds: 0, rise: 2, timeoutMs: 1_000 }, concurrency: 16 },
      { budgetMs: 10_000 },
    );
    if (!sweep.transitions.some((t) => t.name === "dying" && t.to === "unhealthy")) throw new Error("the node was not declared down");
    calls.clear();
    statements = 0;

    const started = performance.now();
    let pings = 0;
    const live = async () =>
      (await db.select({ n: count() }).from(assignments).innerJoin(nodes, eq(nodes.id, assignments.nodeId)).where(and(eq(nodes.name, "dying"), eq(assignments.state, "active"))))[0]?.n ?? 0;
    for (;;) {
      pings++;
      await runFleetOperations(
        {
          db,
          panelFor: factory,
          publicUrl,
          clock,
          notifications: { webhook: { url: "http://127.0.0.1:9/bot", secret: "bench-secret-0123456789" }, telegram: null },
          failover: { graceSeconds: 0, batchSize: BATCH, autoReturnToService: true },
          concurrency: CONCURRENCY,
        },
        { budgetMs: PING_BUDGET_MS },
      );
      if ((await live()) === 0) break;
      if (pings > 1_000) throw new Error("failover did not converge");
    }
    const seconds = (performance.now() - started) / 1000;
    const statementsDuring = statements;

    const [ops] = await db.select({ n: count() }).from(operations);
    const [items] = await db.select({ n: count() }).from(operationItems).where(eq(operationItems.status, "succeeded"));
    const mismatched = await db.execute(sql`
      SELECT n.name FROM nodes n
      WHERE n.reserved_count <> (SELECT count(*) FROM assignments a WHERE a.node_id = n.id AND a.state IN ('pending', 'active'))`);
    const perUser = new Map<string, number>();
    for (const node of fleet.nodes.filter((n) => n.name !== "dying")) {
      for (const c of fleet.panel(node.name).state.clients()) {
        const email = String(c.email);
        if (!email.startsWith(CLIENT_EMAIL_PREFIX)) continue;
        const user = email.split("-")[1] ?? "";
        perUser.set(user, (perUser.get(user) ?? 0) + 1);
      }
    }
    const panelCalls = [...calls].reduce((s, [, n]) => s + n, 0);
    console.log("");
    console.log(`users moved                 ${items?.n ?? 0} / ${USERS}  (to ${TARGETS} nodes)`);
    console.log(`declared down → all moved   ${seconds.toFixed(2)} s   (goal ≤ 60 s)   ${((items?.n ?? 0) / seconds).toFixed(0)} users/s`);
    console.log(`cron pings                  ${pings}  (batch ${BATCH}, ${CONCURRENCY} moves at once); at one ping per 30 s that is ${((pings - 1) * 30).toFixed(0)} s`);
    console.log(`operations                  ${ops?.n ?? 0}`);
    console.log(`panel calls                 ${panelCalls}  (${[...calls].map(([m, n]) => `${m} ${n}`).join(", ")}) = ${(panelCalls / USERS).toFixed(2)} per user`);
    console.log(`database statements         ${statementsDuring} = ${(statementsDuring / USERS).toFixed(1)} per user`);
    console.log(`capacity exact              ${rowsOf(mismatched).length === 0 ? "yes" : "NO"}`);
    console.log(`one live client per user    ${perUser.size === USERS && [...perUser.values()].every((n) => n === 1) ? "yes" : "NO"}`);
  } finally {
    await fleet.close();
    await client.end();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
