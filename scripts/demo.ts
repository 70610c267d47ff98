/**
 * npm run demo — a living fleet in one command: five simulated 3X-UI panels of different versions
 * (one of them flaky) in this process, the app's production server on an embedded database, five
 * nodes added through the node service and a few hundred users through the bot API (so panels and
 * database agree), then it prints where everything is and runs until Ctrl-C.
 *
 * Honours PORT (3000), BOT_API_TOKEN, CRON_SECRET, METRICS_TOKEN, ADMIN_USERNAME (admin) and ADMIN_PASSWORD
 * (generated when unset). The demo keeps its own data folder, DEMO_DATA_DIR (./.data/demo), and
 * starts it afresh each run: the simulated panels live in memory and are new every time.
 */
import { once } from "node:events";
import { createWriteStream, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { startSimulator, type SimulatedPanel } from "@/server/x3ui/simulator";
import { ensureProductionBuild, startProductionServer } from "./lib/production-server";

const env = process.env;
const PORT = env.PORT ?? "3000";
const BASE = `http://127.0.0.1:${PORT}`;
const DATA_DIR = path.resolve(env.DEMO_DATA_DIR ?? ".data/demo");
const USER_COUNT = Number(env.DEMO_USERS ?? 300);

// The app and this script read the same environment; set the demo's defaults before any server module loads.
Object.assign(env, {
  DATA_DIR,
  DATABASE_URL: "",
  PORT,
  PUBLIC_URL: env.PUBLIC_URL ?? `http://localhost:${PORT}`,
  BOT_API_TOKEN: env.BOT_API_TOKEN || `demo-bot-${randomBytes(12).toString("base64url")}`,
  CRON_SECRET: env.CRON_SECRET || `demo-cron-${randomBytes(12).toString("base64url")}`,
  METRICS_TOKEN: env.METRICS_TOKEN || `demo-metrics-${randomBytes(12).toString("base64url")}`,
  ADMIN_USERNAME: env.ADMIN_USERNAME || "admin",
  ADMIN_PASSWORD: env.ADMIN_PASSWORD || randomBytes(9).toString("base64url"),
  ALLOW_PRIVATE_PANELS: "true",
  // A lively fleet: checks every 10 s by the app itself, failover two minutes after a node is declared down.
  HEALTH_INTERVAL_SECONDS: env.HEALTH_INTERVAL_SECONDS ?? "10",
  INTERNAL_CRON_SECONDS: env.INTERNAL_CRON_SECONDS ?? "10",
  FAILOVER_GRACE_SECONDS: env.FAILOVER_GRACE_SECONDS ?? "120",
  NODE_ENV: "production",
});

const PANELS = [
  { name: "fra-1", location: "Frankfurt", version: "2.4.5", maxUsers: 120, priority: 100, weight: 1 },
  { name: "ams-1", location: "Amsterdam", version: "2.6.0", maxUsers: 100, priority: 100, weight: 1 },
  { name: "hel-1", location: "Helsinki", version: "2.8.11", maxUsers: 80, priority: 100, weight: 1, isFlaky: true },
  { name: "waw-1", location: "Warsaw", version: "3.3.0", maxUsers: 150, priority: 120, weight: 1.5 },
  { name: "fra-2", location: "Frankfurt", version: "3.6.0", maxUsers: 60, priority: 80, weight: 1 },
] as const;

// The flaky panel answers 500 for 40 s out of every 150 s and is slow otherwise: long enough for the
// health sweep to see a streak of failures, short enough that it keeps coming back.
const FLAKY_PERIOD_MS = 150_000;
const FLAKY_OUTAGE_MS = 40_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function addNodes(panels: SimulatedPanel[]): Promise<void> {
  const { openAppContext } = await import("@/server/composition/app-context");
  const { nodeDeps } = await import("@/server/composition/service-deps");
  const { createNode } = await import("@/server/services/nodes/create-node");
  const { cliActor } = await import("@/server/services/actor");
  const { app, close } = await openAppContext({ maxConnections: 2 });
  try {
    for (const [i, spec] of PANELS.entries()) {
      const panel = panels[i]!;
      await createNode(nodeDeps(app), cliActor("demo"), {
        name: spec.name,
        location: spec.location,
        panelUrl: panel.url,
        panelUsername: panel.username,
        panelPassword: panel.password,
        inboundId: panel.inboundId,
        publicHost: `${spec.name}.vpn.example`,
        maxUsers: spec.maxUsers,
        priority: spec.priority,
        weight: spec.weight,
      });
    }
  } finally {
    await close();
  }
}

async function waitForPing(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`${BASE}/api/ping`).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(500);
  }
  throw new Error(`the app did not answer on ${BASE}/api/ping within ${timeoutMs / 1000} s`);
}

const sweep = () => fetch(`${BASE}/api/cron/health`, { method: "POST", headers: { authorization: `Bearer ${env.CRON_SECRET}` } });

function requestKey(telegramId: number, body: Record<string, unknown> = {}) {
  return fetch(`${BASE}/api/bot/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.BOT_API_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ telegramId, ...body }),
  });
}

async function seedUsers(): Promise<Map<string, number>> {
  const perNode = new Map<string, number>();
  // Health checks decide where users may go: sweep until the first key can be placed.
  for (let attempt = 0; ; attempt++) {
    await sweep();
    const first = await requestKey(700_000_001, { username: "demo_user_1" });
    if (first.ok) {
      const body = (await first.json()) as { node: { name: string } };
      perNode.set(body.node.name, 1);
      break;
    }
    if (attempt >= 20) throw new Error(`the first key could not be placed: HTTP ${first.status} ${await first.text()}`);
    await sleep(1_000);
  }
  let next = 2;
  const locations = [undefined, undefined, "Frankfurt", "Warsaw", "Helsinki"];
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next <= USER_COUNT) {
        const n = next++;
        const response = await requestKey(700_000_000 + n, { username: `demo_user_${n}`, location: locations[n % locations.length] });
        if (!response.ok) continue;
        const body = (await response.json()) as { node: { name: string } };
        perNode.set(body.node.name, (perNode.get(body.node.name) ?? 0) + 1);
      }
    }),
  );
  return perNode;
}

async function main() {
  rmSync(DATA_DIR, { recursive: true, force: true });
  console.log("demo: starting 5 simulated 3X-UI panels…");
  const panels = await Promise.all(PANELS.map((p) => startSimulator({ version: p.version })));
  const flaky = panels[PANELS.findIndex((p) => "isFlaky" in p)]!;
  flaky.faults.latencyMs = 250;
  const flakyTimer = setInterval(() => {
    flaky.faults.http500 = true;
    setTimeout(() => (flaky.faults.http500 = false), FLAKY_OUTAGE_MS).unref();
  }, FLAKY_PERIOD_MS);

  await addNodes(panels);
  ensureProductionBuild(env);
  const logFile = path.join(DATA_DIR, "app.log");
  const log = createWriteStream(logFile, { flags: "a" });
  const server = startProductionServer(PORT, env, { stdio: "pipe" });
  server.stdout?.pipe(log);
  server.stderr?.pipe(log);
  const stop = async (code: number) => {
    clearInterval(flakyTimer);
    server.kill("SIGTERM");
    await Promise.all(panels.map((p) => p.close()));
    process.exit(code);
  };
  server.on("exit", (code) => {
    console.error(`demo: the app exited (${code}); see ${logFile}`);
    void stop(1);
  });
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  console.log(`demo: starting the app on ${BASE}…`);
  await waitForPing(120_000);
  console.log(`demo: adding ${USER_COUNT} users through the bot API…`);
  const perNode = await seedUsers();

  const line = "─".repeat(72);
  console.log(`
${line}
Fleet demo is running. Ctrl-C stops everything.

Dashboard   ${env.PUBLIC_URL}
Sign in     ${env.ADMIN_USERNAME} / ${env.ADMIN_PASSWORD}   (owner)
Data        ${DATA_DIR} (embedded database, recreated each run); app log: ${logFile}

Users placed: ${[...perNode].map(([name, n]) => `${name} ${n}`).join(", ")}

Bot API     Authorization: Bearer ${env.BOT_API_TOKEN}
  curl -s -X POST ${BASE}/api/bot/keys -H 'authorization: Bearer ${env.BOT_API_TOKEN}' \\
       -H 'content-type: application/json' -d '{"telegramId": 123456789, "username": "alice"}'
  OpenAPI: ${BASE}/api/openapi.json

Health      the app sweeps every ${env.INTERNAL_CRON_SECONDS} s; to ping it yourself:
  curl -s -X POST ${BASE}/api/cron/health -H 'authorization: Bearer ${env.CRON_SECRET}'

Metrics     Prometheus text format; readiness for a load balancer
  curl -s ${BASE}/api/metrics -H 'authorization: Bearer ${env.METRICS_TOKEN}'
  curl -s ${BASE}/api/health/ready

Simulated panels (in this process; credentials as the nodes use them):
${PANELS.map((p, i) => `  ${p.name.padEnd(6)} v${p.version.padEnd(7)} ${panels[i]!.url.padEnd(32)} ${panels[i]!.username} / ${panels[i]!.password}${"isFlaky" in p ? "   flaky: HTTP 500 for 40 s every 150 s" : ""}`).join("\n")}
${line}`);
  await once(server, "exit");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
