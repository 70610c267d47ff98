/**
 * docs/deploy.md › Backups, followed verbatim: its backup, restore and verify blocks are run with
 * bash against a test database holding a live fleet (simulated panels, keys issued, refreshed and
 * revoked, a cron run). The restored database is then opened the way the server starts (migrations,
 * the composition root, the first-owner check), served readiness over HTTP for the guide's curl,
 * and checked: nothing was lost, every user gets the same key back without a panel call, and the
 * invariants hold — the reconciler finds nothing to repair and no count to correct.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { count, eq, gt, inArray } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as ready } from "@/app/api/health/ready/route";
import { createAppContext, type AppContext } from "@/server/composition/app-context";
import { runAppCron } from "@/server/composition/cron";
import { keyDeps, reconcileDeps } from "@/server/composition/service-deps";
import { parseEnv } from "@/server/env";
import { ensureInitialOwner } from "@/server/services/admins/manage-admins";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { refreshKey } from "@/server/services/keys/refresh-key";
import { revokeKey } from "@/server/services/keys/revoke-key";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { runReconcile } from "@/server/services/reconcile/run-reconcile";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { withDatabase } from "@/server/testing/test-db-url";
import { openAppDatabase, type DatabaseHandle } from "./index";
import { assignments, auditLog, cronRuns, events, healthChecks, nodes, operations, vpnUsers } from "./schema";
import type { Database } from "./client";

const GUIDE = readFileSync(path.join(process.cwd(), "docs", "deploy.md"), "utf8");

/** The fenced block right after `<!-- deploy-test:<name> -->` in the guide. */
function guideBlock(name: string): string {
  const match = new RegExp(`<!-- deploy-test:${name} -->\\s*\`\`\`bash\\n([\\s\\S]*?)\`\`\``).exec(GUIDE);
  if (!match?.[1]) throw new Error(`docs/deploy.md has no deploy-test:${name} block`);
  return match[1];
}

/** Runs a block with bash (asynchronously: the verify block calls back into this process). */
async function runGuideBlock(name: string, env: Record<string, string>): Promise<string> {
  // Only the variables the guide's operator would have set, and PATH to find the PostgreSQL client tools.
  const { stdout } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", guideBlock(name)], { env: { NODE_ENV: "production", PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
  return stdout.trim();
}

const TABLES = { nodes, vpnUsers, assignments, operations, auditLog, events, healthChecks, cronRuns };
async function tableCounts(db: Database): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [name, table] of Object.entries(TABLES)) counts[name] = (await db.select({ n: count() }).from(table))[0]!.n;
  return counts;
}

let source: TestDatabase;
let fleet: SimulatedFleet;
let backupDir: string;
const restoredName = `fleet_restored_${randomBytes(4).toString("hex")}`;
let restored: DatabaseHandle | undefined;

beforeAll(async () => {
  source = await createTestDatabase();
  backupDir = mkdtempSync(path.join(tmpdir(), "fleet-backup-"));
});
afterAll(async () => {
  await restored?.close();
  const admin = postgres(source.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${restoredName} WITH (FORCE)`);
  await admin.end();
  await fleet?.close();
  await source.close();
  rmSync(backupDir, { recursive: true, force: true });
});

describe("backup and restore as docs/deploy.md tells it", () => {
  it("restores a live fleet into a fresh database on which the app starts with every invariant holding", async () => {
    fleet = await startSimulatedFleet(source.db, [
      { name: "fra-1", maxUsers: 30 },
      { name: "ams-1", maxUsers: 30, version: "2.9.4" },
      { name: "waw-1", maxUsers: 30, version: "3.6.0" },
    ]);
    const app = createTestAppContext(source.db, { overrides: { panelFor: fleet.panelFor } });
    const telegramIds = Array.from({ length: 24 }, (_, i) => 800_000_001 + i);
    for (const telegramId of telegramIds) await getOrCreateKey(keyDeps(app), { telegramId, username: `u${telegramId}` });
    await refreshKey(keyDeps(app), { telegramId: telegramIds[0]! });
    await revokeKey(keyDeps(app), { telegramId: telegramIds[1]! });
    await ensureInitialOwner(app, { username: "owner", password: "a long owner password" });
    await runAppCron(app, "http");
    const before = await tableCounts(source.db);
    const keysBefore = await source.db
      .select({ telegramId: vpnUsers.telegramId, key: assignments.shareLink })
      .from(assignments)
      .innerJoin(vpnUsers, eq(vpnUsers.id, assignments.userId))
      .where(eq(assignments.state, "active"));
    expect(keysBefore).toHaveLength(telegramIds.length - 1);

    const backup = (await runGuideBlock("backup", { DATABASE_URL: source.url, BACKUP_DIR: backupDir })).split("\n").at(-1)!;
    expect(path.dirname(backup)).toBe(backupDir);
    expect(await runGuideBlock("restore", { DATABASE_URL: source.url, BACKUP: backup, RESTORE_DB: restoredName })).toContain(`restored into ${restoredName}`);

    // The server's start-up path on the restored database: migrations, the composition root, the first-owner check.
    const env = parseEnv({
      NODE_ENV: "production",
      DATABASE_URL: withDatabase(source.url, restoredName),
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      PANEL_SECRET_KEYS: `t1:${randomBytes(32).toString("base64")}`,
    });
    restored = await openAppDatabase(env, { maxConnections: 5 });
    let panelCalls = 0;
    const restoredApp: AppContext = createAppContext(env, restored.db, {
      panelFor: (node) => {
        panelCalls++;
        return fleet.panelFor(node);
      },
    });
    expect(await ensureInitialOwner(restoredApp, { username: "owner", password: "a long owner password" })).toMatchObject({ created: false });

    const server = http.createServer((req, res) => {
      void ready.withApp(restoredApp)(new Request(`http://127.0.0.1${req.url}`), { params: Promise.resolve({}) }).then(async (response) => {
        res.writeHead(response.status, { "content-type": "application/json" }).end(await response.text());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const answer = await runGuideBlock("verify", { FLEET_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      expect(JSON.parse(answer)).toMatchObject({ status: "ready" });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }

    expect(await tableCounts(restored.db)).toEqual(before);
    // Every user gets the key they had, from the database alone.
    for (const { telegramId, key } of keysBefore) expect((await getOrCreateKey(keyDeps(restoredApp), { telegramId })).key).toBe(key);
    expect(panelCalls).toBe(0);

    // The invariants, as the reconciler sees them against the panels: nothing to create, repair or
    // delete (panel and database agree), and a recount that changes no node (each node's capacity
    // count equals its live assignments). At most one live key per user; no node over capacity.
    const report = await runReconcile({ ...reconcileDeps(restoredApp), graceMs: 0 }, { budgetMs: 20_000, intervalMs: 0 });
    expect(report.nodes).toHaveLength(3);
    for (const node of report.nodes) {
      expect(node, node.nodeName).toMatchObject({ actions: [], deferred: 0, clean: true });
      expect(node.reservedCount.after, node.nodeName).toBe(node.reservedCount.before);
    }
    const overfull = await restored.db.select({ name: nodes.name }).from(nodes).where(gt(nodes.reservedCount, nodes.maxUsers));
    expect(overfull).toEqual([]);
    const twice = await restored.db
      .select({ userId: assignments.userId })
      .from(assignments)
      .where(inArray(assignments.state, ["pending", "active"]))
      .groupBy(assignments.userId)
      .having(gt(count(), 1));
    expect(twice).toEqual([]);
  });
});
