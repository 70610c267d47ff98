/**
 * npm run bench:reconcile [-- --nodes=300 --hanging=0.1 --timeout=2000 --budget=20000 --concurrency=16]
 *
 * One cron ping's reconcile over simulated panels (in this process), a share of them hanging,
 * against a throwaway database on the PostgreSQL server of TEST_DATABASE_URL. Prints how many of
 * the nodes the run reached within the ping's budget (goal: all of them), how many were unreadable
 * and the wall time — first as the reconciler runs now (nodes side by side, none started with less
 * than one panel deadline left), then one node after another for comparison.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { encryptSecret, parseKeyRing } from "@/server/crypto/secret-box";
import * as schema from "@/server/db/schema";
import { dnsResolver } from "@/server/services/nodes/panel-address-guard";
import { createPanelClientFactory, secretAad } from "@/server/services/nodes/panel-for-node";
import { runReconcile, DEFAULT_RECONCILE_CONCURRENCY } from "@/server/services/reconcile/run-reconcile";
import { createPanelClient } from "@/server/x3ui/client";
import { startSimulators } from "@/server/x3ui/simulator";
import { createBenchDatabase } from "./lib/bench-database";

function arg(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number`);
  return value;
}

const NODES = arg("nodes", 300);
const HANGING = arg("hanging", 0.1);
const TIMEOUT_MS = arg("timeout", 2000);
const BUDGET_MS = arg("budget", 20_000);
const CONCURRENCY = arg("concurrency", DEFAULT_RECONCILE_CONCURRENCY);

async function main() {
  const bench = await createBenchDatabase("bench_reconcile");
  const db = bench.handle.db;
  const hanging = Math.round(NODES * HANGING);
  const panels = await startSimulators(NODES, { version: "2.8.11" });
  try {
    for (const panel of panels.slice(0, hanging)) panel.faults.hang = true;
    const keyRing = parseKeyRing(`b1:${randomBytes(32).toString("base64")}`);
    const rows = panels.map((panel, i) => {
      const id = randomUUID();
      return {
        id,
        name: `rec-${String(i).padStart(4, "0")}`,
        panelUrl: panel.url,
        panelUsername: panel.username,
        panelSecretEnc: encryptSecret(keyRing, JSON.stringify({ password: panel.password }), secretAad(id)),
        inboundId: panel.inboundId,
        healthState: "healthy" as const,
        apiGeneration: "g3",
      };
    });
    for (let i = 0; i < rows.length; i += 500) await db.insert(schema.nodes).values(rows.slice(i, i + 500));
    const panelFor = createPanelClientFactory({ keyRing, timeoutMs: TIMEOUT_MS, createClient: createPanelClient, addressPolicy: { allowPrivate: true, resolve: dnsResolver } });
    const deps = { db, panelFor, graceMs: 600_000, maxActions: 100 };

    console.log(`bench:reconcile — ${NODES} simulated panels (v2.8.11, in this process), ${hanging} hanging, panel timeout ${TIMEOUT_MS} ms, one ping's budget ${BUDGET_MS} ms`);
    for (const [label, options] of [
      [`side by side (${CONCURRENCY} at once)`, { concurrency: CONCURRENCY, nodeDeadlineMs: TIMEOUT_MS }],
      ["one after another (before)      ", { concurrency: 1 }],
    ] as const) {
      await db.update(schema.nodes).set({ lastReconciledAt: null });
      const started = performance.now();
      const report = await runReconcile(deps, { budgetMs: BUDGET_MS, intervalMs: 300_000, ...options });
      const wallMs = performance.now() - started;
      const unreadable = report.nodes.filter((n) => n.error).length;
      console.log(
        `${label}: reached ${report.nodes.length} of ${NODES} nodes (${unreadable} unreadable, ${report.skipped} left for the next ping) ` +
          `in ${(wallMs / 1000).toFixed(2)} s of the ${(BUDGET_MS / 1000).toFixed(0)} s budget`,
      );
    }
  } finally {
    await Promise.all(panels.map((p) => p.close()));
    await bench.drop();
  }
}

await main();
