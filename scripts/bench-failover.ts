/**
 * npm run bench:failover [-- --users=1000 --targets=4 --rate=1200 --concurrency=8 --grace=600 --interval=30 --budget=20000]
 *
 * The timeline of a user of a node that dies, with the default settings and a cron every 30 s:
 * 1,000 users on a node whose panel stops. Simulated panels run in this process, against a
 * throwaway database on the PostgreSQL server of TEST_DATABASE_URL (default
 * postgres://postgres:postgres@127.0.0.1:5432/postgres). Detection (real health sweeps with
 * HEALTH_FALL 3 over 90 s) and the grace run on a clock stepped one cron interval per ping; from
 * the ping that starts the failover on, the fleet-operations step is pinged every 30 s in real
 * time until every user is on a live node. Prints each phase (goal for the moves: ≤ 60 s), pings,
 * operations, panel calls and database statements, and checks the end state: capacity exact, one
 * client per user, on a live panel.
 */
import { randomBytes } from "node:crypto";
import { and, count, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { rowsOf, runMigrations } from "@/server/db/migrate";
import * as schema from "@/server/db/schema";
import { assignments, nodes, operationItems, operations, vpnUsers } from "@/server/db/schema";
import type { Database } from "@/server/db/client";
import type { Clock } from "@/server/services/clock";
import { runHealthSweep } from "@/server/services/health/run-health-sweep";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { CLIENT_EMAIL_PREFIX, type PanelFactory } from "@/server/services/keys/key-deps";
import { newAssignmentIdentity } from "@/server/services/keys/client-identity";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
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
const RATE = arg("rate", 1200);
const CONCURRENCY = arg("concurrency", 8);
const GRACE_S = arg("grace", 600);
const CRON_INTERVAL_S = arg("interval", 30);
/** What the fleet-operations step gets of a ping's CRON_BUDGET_MS (25 s) after the health sweep and the reconciler. */
const PING_BUDGET_MS = arg("budget", 20_000);
/** The env defaults: HEALTH_FALL, HEALTH_FALL_WINDOW_SECONDS, HEALTH_RISE, and a timeout the dead panel answers within (it refuses). */
const HEALTH = { intervalSeconds: CRON_INTERVAL_S, fall: 3, fallWindowSeconds: 90, rise: 2, timeoutMs: 5_000 };

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

/** `count` more users with an active key on `name`: the rows and the panel clients the bot path would have made. */
async function seedInBulk(db: Database, fleet: SimulatedFleet, name: string, count: number, sampleLink: string): Promise<void> {
  const node = fleet.node(name);
  const seeded = Array.from({ length: count }, (_, i) => ({ telegramId: 100_001 + i, ...newAssignmentIdentity(CLIENT_EMAIL_PREFIX, 100_001 + i, node.id) }));
  for (let i = 0; i < seeded.length; i += 500) {
    const chunk = seeded.slice(i, i + 500);
    const users = await db
      .insert(vpnUsers)
      .values(chunk.map((u) => ({ telegramId: u.telegramId, subscriptionToken: randomBytes(24).toString("base64url") })))
      .returning({ id: vpnUsers.id, telegramId: vpnUsers.telegramId });
    const idOf = new Map(users.map((u) => [u.telegramId, u.id]));
    await db.insert(assignments).values(
      chunk.map((u) => ({
        id: u.assignmentId,
        userId: idOf.get(u.telegramId)!,
        nodeId: node.id,
        inboundId: node.inboundId,
        clientId: u.clientId,
        clientEmail: u.clientEmail,
        shareLink: sampleLink.replace(/^(\w+:\/\/)[^@]+@/, `$1${u.clientId}@`),
        state: "active" as const,
        activatedAt: sql`now()`,
      })),
    );
  }
  fleet.panel(name).state.addClients(
    node.inboundId,
    seeded.map((u) => ({ id: u.clientId, email: u.clientEmail, enable: true, flow: "", limitIp: 0, totalGB: 0, expiryTime: 0, tgId: 0, subId: "", comment: "", reset: 0 })),
  );
  await db.update(nodes).set({ reservedCount: sql`${nodes.reservedCount} + ${count}` }).where(eq(nodes.id, node.id));
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
    // One real key through the bot path shows the link's shape; the rest are written in bulk, as
    // that path would leave them (an active assignment and its client on the panel), because a
    // thousand keys one at a time through one panel's writer is the slow part of this bench, not
    // what it measures.
    const first = await getOrCreateKey({ db, panelFor: fleet.panelFor, publicUrl }, { telegramId: 100_000 });
    await seedInBulk(db, fleet, "dying", USERS - 1, first.key);
    await db.update(nodes).set({ adminState: "active" }).where(sql`${nodes.name} <> 'dying'`);

    const { factory, calls } = counting(fleet.panelFor);
    // Detection and grace run on a clock this bench steps one cron interval per ping (nothing
    // happens between pings there); the moves run in real time, a ping every CRON_INTERVAL_S.
    let offsetMs = 0;
    const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
    const sweepDeps = { db, panelFor: factory, clock, settings: HEALTH, concurrency: 16 };
    const fleetDeps = {
      db,
      panelFor: factory,
      publicUrl,
      clock,
      notifications: { webhook: { url: "http://127.0.0.1:9/bot", secret: "bench-secret-0123456789" }, telegram: null },
      failover: { graceSeconds: GRACE_S, maxMovesPerMinute: RATE, autoReturnToService: true },
      concurrency: CONCURRENCY,
    };
    await runHealthSweep(sweepDeps, { budgetMs: 10_000 });
    await fleet.panel("dying").faults.down();
    const firstFailureAt = clock.now().getTime() + CRON_INTERVAL_S * 1000;
    let detectedAt = 0;
    let failoverAt = 0;
    for (let ping = 0; !failoverAt; ping++) {
      if (ping > 100) throw new Error("the failover never started");
      offsetMs += CRON_INTERVAL_S * 1000;
      const sweep = await runHealthSweep(sweepDeps, { budgetMs: 10_000 });
      if (sweep.transitions.some((t) => t.name === "dying" && t.to === "unhealthy")) detectedAt = clock.now().getTime();
      if (!detectedAt) continue;
      const report = await runFleetOperations(fleetDeps, { budgetMs: 1 });
      if (report.started.length > 0) failoverAt = clock.now().getTime();
    }
    calls.clear();
    statements = 0;

    const live = async () =>
      (await db.select({ n: count() }).from(assignments).innerJoin(nodes, eq(nodes.id, assignments.nodeId)).where(and(eq(nodes.name, "dying"), eq(assignments.state, "active"))))[0]?.n ?? 0;
    const movesStarted = performance.now();
    let pings = 0;
    let workMs = 0;
    for (;;) {
      pings++;
      const pingStarted = performance.now();
      await runFleetOperations(fleetDeps, { budgetMs: PING_BUDGET_MS });
      workMs += performance.now() - pingStarted;
      if ((await live()) === 0) break;
      if (pings > 100) throw new Error("failover did not converge");
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, pingStarted + CRON_INTERVAL_S * 1000 - performance.now())));
    }
    const movesS = (performance.now() - movesStarted) / 1000;
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
    const detectionS = (detectedAt - firstFailureAt) / 1000;
    const graceS = (failoverAt - detectedAt) / 1000;
    console.log(`timeline, cron every ${CRON_INTERVAL_S} s, health ${HEALTH.fall} failures over ≥ ${HEALTH.fallWindowSeconds} s, grace ${GRACE_S} s, rate ${RATE}/min, ${CONCURRENCY} moves at once:`);
    console.log(`  first failed check → declared down     ${detectionS.toFixed(0)} s`);
    console.log(`  declared down → failover starts         ${graceS.toFixed(0)} s  (the grace, rounded up to a ping)`);
    console.log(`  failover starts → last user moved       ${movesS.toFixed(2)} s  (goal ≤ 60 s; ${pings} pings, ${(workMs / 1000).toFixed(2)} s of ping time)`);
    console.log(`  first failed check → last user moved    ${(detectionS + graceS + movesS).toFixed(0)} s  (then the app's subscription refresh, or the bot's push)`);
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
