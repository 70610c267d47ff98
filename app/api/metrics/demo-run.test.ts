/**
 * GET /api/metrics after a demo-like run, through the production wiring (createAppContext): three
 * simulated panels of different versions added through the node service, keys issued, refreshed
 * and revoked through the key services, cron runs (sweep, failover, webhook delivery) until a dead
 * node's users are moved, then a scrape of two replicas over the same database.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "@/server/composition/app-context";
import { runAppCron } from "@/server/composition/cron";
import { keyDeps, nodeDeps } from "@/server/composition/service-deps";
import { createFleetMetrics } from "@/server/metrics/fleet-metrics";
import { cliActor } from "@/server/services/actor";
import { adminDeps } from "@/server/composition/service-deps";
import { authenticateAdmin } from "@/server/services/admins/authenticate-admin";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { refreshKey } from "@/server/services/keys/refresh-key";
import { revokeKey } from "@/server/services/keys/revoke-key";
import { createNode } from "@/server/services/nodes/create-node";
import { parseExposition, sampleValue, sumOf, type Family } from "@/server/testing/prometheus-text";
import { nodeInputFor } from "@/server/testing/simulated-nodes";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { startSimulator, type SimulatedPanel } from "@/server/x3ui/simulator";
import { GET } from "./route";

const TOKEN = "metrics-token-for-tests-0123456789";
const USERS = 12;
let test: TestDatabase;
let panels: SimulatedPanel[] = [];
let receiver: http.Server;
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

/** A replica of the app over the test database: the production wiring with its own metrics. */
function replica(instance: string, webhookUrl: string): AppContext {
  return createTestAppContext(test.db, {
    env: {
      METRICS_TOKEN: TOKEN,
      HEALTH_INTERVAL_SECONDS: "5",
      HEALTH_FALL: "2",
      HEALTH_FALL_WINDOW_SECONDS: "0",
      HEALTH_TIMEOUT_MS: "1000",
      FAILOVER_GRACE_SECONDS: "0",
      WEBHOOK_URL: webhookUrl,
      WEBHOOK_SECRET: "whsec-test-0123456789",
    },
    overrides: { clock, metrics: createFleetMetrics({ instance }) },
  });
}

async function scrape(app: AppContext): Promise<Map<string, Family>> {
  const response = await GET.withApp(app)(new Request("http://fleet.test/api/metrics", { headers: { authorization: `Bearer ${TOKEN}` } }), { params: Promise.resolve({}) });
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
}

/** One cron ping, one health interval after the last. */
async function ping(app: AppContext) {
  offsetMs += 5_001;
  return runAppCron(app, "http");
}

beforeAll(async () => {
  test = await createTestDatabase();
  panels = await Promise.all(["2.6.8", "2.9.4", "3.6.0"].map((version) => startSimulator({ version })));
  receiver = http.createServer((req, res) => req.resume().on("end", () => res.writeHead(204).end()));
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await Promise.all(panels.map((p) => p.close()));
  await new Promise((resolve) => receiver.close(resolve));
  await test.close();
});

describe("GET /api/metrics after a demo-like run", () => {
  it("carries every family, agrees across replicas on the fleet, and labels nothing per user", async () => {
    const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/fleet`;
    const app = replica("web-1", webhookUrl);
    const nodes = [];
    for (const [i, panel] of panels.entries()) nodes.push(await createNode(nodeDeps(app), cliActor("test"), nodeInputFor(panel, `node-${i}`, { maxUsers: 20 })));
    await ping(app);

    const telegramIds = Array.from({ length: USERS }, (_, i) => 700_000_001 + i);
    const keys = [];
    for (const telegramId of telegramIds) keys.push(await getOrCreateKey(keyDeps(app), { telegramId, username: `user${telegramId}` }));
    await refreshKey(keyDeps(app), { telegramId: telegramIds[0]! });
    await revokeKey(keyDeps(app), { telegramId: telegramIds[1]! });
    const revokedOn = { node_id: keys[1]!.node.id, node: keys[1]!.node.name };

    // The node holding the most users dies; two failed checks make it unhealthy, and with no grace its users move.
    const before = await scrape(app);
    const victim = nodes.reduce((a, b) => (sampleValue(before, "fleet_node_users", { node_id: a.id }) >= sampleValue(before, "fleet_node_users", { node_id: b.id }) ? a : b));
    const stranded = sampleValue(before, "fleet_node_users", { node_id: victim.id });
    expect(stranded).toBeGreaterThan(0);
    await panels[nodes.indexOf(victim)]!.faults.down();
    for (let i = 0; i < 5 && (await scrape(app)).get("fleet_node_users")!.samples.some((s) => s.labels.node_id === victim.id && s.value > 0); i++) await ping(app);

    // Failed sign-ins from one address up to its limit: the next attempt is refused.
    const ip = "203.0.113.9";
    for (let i = 0; i < app.config.rateLimits["sign-in-address"].limit; i++) await authenticateAdmin(adminDeps(app), { username: `nobody${i}`, password: "wrong password", ip });
    expect(await authenticateAdmin(adminDeps(app), { username: "nobody", password: "wrong password", ip })).toMatchObject({ ok: false, reason: "throttled" });

    const families = await scrape(app);
    const dead = { node_id: victim.id, node: victim.name };
    expect(sampleValue(families, "fleet_node_health_state", { ...dead, state: "unhealthy" })).toBe(1);
    expect(sampleValue(families, "fleet_node_users", dead)).toBe(0);
    expect(sumOf(families, "fleet_node_users")).toBe(USERS - 1);
    expect(sumOf(families, "fleet_keys_issued_total")).toBe(USERS);
    expect(sumOf(families, "fleet_keys_refreshed_total")).toBe(1);
    // Counted on the node the revoked key was on, like issued and refreshed keys.
    expect(sampleValue(families, "fleet_keys_revoked_total", revokedOn)).toBe(1);
    expect(sumOf(families, "fleet_keys_revoked_total")).toBe(1);
    expect(sampleValue(families, "fleet_user_moves_total", { reason: "failover", outcome: "moved" })).toBe(stranded);
    expect(sampleValue(families, "fleet_operations_finished_total", { kind: "failover", status: "succeeded" })).toBe(1);
    expect(sampleValue(families, "fleet_health_checks_total", { ...dead, outcome: "unreachable" })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(families, "fleet_health_check_duration_seconds_count", { node_id: nodes[0]!.id })).toBeGreaterThan(0);
    expect(sampleValue(families, "fleet_node_health_transitions_total", { ...dead, to: "unhealthy" })).toBe(1);
    expect(sampleValue(families, "fleet_panel_call_errors_total", { ...dead, kind: "unreachable" })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(families, "fleet_cron_run_duration_seconds_count", { trigger: "http" })).toBeGreaterThanOrEqual(3);
    expect(sampleValue(families, "fleet_cron_step_duration_seconds_count", { step: "health", status: "ok" })).toBeGreaterThanOrEqual(3);
    expect(sampleValue(families, "fleet_cron_budget_overruns_total", { trigger: "http" })).toBe(0);
    expect(sampleValue(families, "fleet_webhook_delivery_attempts_total", { channel: "webhook", outcome: "delivered" })).toBeGreaterThanOrEqual(stranded);
    expect(sampleValue(families, "fleet_webhook_deliveries", { channel: "webhook", status: "pending" })).toBe(0);
    expect(sampleValue(families, "fleet_rate_limit_refusals_total", { limiter: "sign-in-address" })).toBe(1);
    expect(sampleValue(families, "fleet_health_last_sweep_timestamp_seconds")).toBeGreaterThan(0);
    expect(sampleValue(families, "fleet_failover_held")).toBe(0);
    for (const name of ["fleet_node_info", "fleet_node_admin_state", "fleet_node_max_users", "fleet_node_last_check_timestamp_seconds", "fleet_health_interval_seconds", "fleet_failover_holds_total", "fleet_health_nodes_deferred_total", "fleet_panel_calls_total", "fleet_operations_open", "fleet_webhook_oldest_pending_timestamp_seconds", "fleet_failover_last_held_timestamp_seconds", "fleet_database_up"]) {
      expect(families.has(name), name).toBe(true);
    }

    // Bounded cardinality: per node or a fixed enum, never a user's id or name in a label.
    const userValues = new Set(telegramIds.flatMap((id) => [String(id), `user${id}`]));
    for (const family of families.values()) {
      if (!family.name.startsWith("fleet_")) continue;
      for (const sample of family.samples) for (const value of Object.values(sample.labels)) expect(userValues.has(value), `${family.name} ${value}`).toBe(false);
    }

    // A second replica reports the same fleet gauges; its own counters carry its own instance.
    const other = await scrape(replica("web-2", webhookUrl));
    for (const family of families.values()) {
      if (!family.name.startsWith("fleet_") || family.samples.some((s) => "instance" in s.labels) || family.name === "fleet_scrape_fleet_state_duration_seconds") continue;
      expect(other.get(family.name)?.samples, family.name).toEqual(family.samples);
    }
    expect(sumOf(other, "fleet_keys_revoked_total", { instance: "web-2" })).toBe(0);
    expect(sampleValue(families, "fleet_keys_revoked_total", { ...revokedOn, instance: "web-1" })).toBe(1);
  });
});
