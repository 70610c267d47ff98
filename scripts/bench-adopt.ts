/**
 * npm run bench:adopt [-- --clients 10000]
 *
 * Adopting one node's populated inbound: a simulated panel (v2.9.4) holding N hand-made clients
 * (default 10,000), each with its Telegram id in `tgId` and half of them with a quota, an expiry and
 * counters, registered as a node in a throwaway database on TEST_DATABASE_URL's server. Times the
 * preview and the apply of the tgId rule, then a re-run (nothing left to adopt), and counts the
 * database statements each sends.
 * Prints wall time (goal: preview + apply ≤ 30 s) and statements per client.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Database } from "@/server/db/client";
import * as schema from "@/server/db/schema";
import { applyAdoption } from "@/server/services/adoption/apply-adoption";
import { previewAdoption } from "@/server/services/adoption/preview-adoption";
import { createPanelClient } from "@/server/x3ui/client";
import { startSimulator } from "@/server/x3ui/simulator";
import { createBenchDatabase } from "./lib/bench-database";

const { values } = parseArgs({ options: { clients: { type: "string", default: "10000" } } });
const CLIENTS = Number(values.clients);
const ADMIN = { adminId: null, username: "bench", ip: null, userAgent: null };

const bench = await createBenchDatabase("bench_adopt");
const panel = await startSimulator({ version: "2.9.4" });
let statements = 0;
const client = postgres(bench.url, { max: 10, onnotice: () => {}, debug: () => void statements++ });
const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
try {
  panel.state.addClients(
    panel.inboundId,
    Array.from({ length: CLIENTS }, (_, i) => {
      const limits = i % 2 === 0 ? { totalGB: 50 * 1024 ** 3, expiryTime: Date.now() + 30 * 86_400_000, limitIp: 3 } : { totalGB: 0, expiryTime: 0, limitIp: 0 };
      return { id: randomUUID(), email: `user-${i}`, enable: true, flow: "", ...limits, tgId: 100_000_000 + i, subId: `sub-${i}`, comment: "", reset: 0 };
    }),
  );
  for (let i = 0; i < CLIENTS; i += 2) panel.state.setTraffic(`user-${i}`, 1_000 * i, 5_000 * i);
  const [node] = await db
    .insert(schema.nodes)
    .values({ name: "bench", panelUrl: panel.url, panelUsername: panel.username, inboundId: panel.inboundId, maxUsers: CLIENTS, healthState: "healthy" })
    .returning();
  const panelClient = createPanelClient({ baseUrl: panel.url, username: panel.username, password: panel.password, timeoutMs: 30_000 });
  const deps = { db, panelFor: () => panelClient };
  const input = { nodeId: node!.id, rule: { kind: "tgId" as const } };
  console.log(`bench:adopt — ${CLIENTS.toLocaleString()} clients on one v2.9.4 inbound (simulated), rule tgId`);

  const timed = async <T>(label: string, run: () => Promise<T>, perClient: number): Promise<{ value: T; ms: number }> => {
    statements = 0;
    const started = performance.now();
    const value = await run();
    const ms = performance.now() - started;
    console.log(`  ${label}: ${(ms / 1000).toFixed(2)} s, ${statements} statements = ${(statements / Math.max(1, perClient)).toFixed(4)} per client`);
    return { value, ms };
  };
  const preview = await timed("preview", () => previewAdoption(deps, input), CLIENTS);
  const adopt = preview.value.counts.adopt;
  console.log(`    ${adopt.toLocaleString()} to adopt, ${preview.value.counts.unmappable.toLocaleString()} unmappable`);
  const apply = await timed("apply (re-reads the panel, then one transaction)", () => applyAdoption(deps, ADMIN, { ...input, fingerprint: preview.value.fingerprint }), adopt);
  if (apply.value.adopted !== adopt) throw new Error(`adopted ${apply.value.adopted}, expected ${adopt}`);
  const rerun = await timed("re-run (nothing left to adopt)", () => applyAdoption(deps, ADMIN, input), CLIENTS);
  if (rerun.value.adopted !== 0) throw new Error(`the re-run adopted ${rerun.value.adopted}`);
  const total = preview.ms + apply.ms;
  console.log(`preview + apply: ${(total / 1000).toFixed(2)} s for ${adopt.toLocaleString()} adopted (goal ≤ 30 s) — ${total <= 30_000 ? "met" : "MISSED"}`);
} finally {
  await client.end({ timeout: 5 });
  await panel.close();
  await bench.drop();
}
