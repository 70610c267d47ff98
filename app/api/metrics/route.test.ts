import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/server/db/client";
import { assignments, cronRuns, events, nodes, operations, vpnUsers, webhookDeliveries } from "@/server/db/schema";
import { createFleetMetrics } from "@/server/metrics/fleet-metrics";
import { parseExposition, sampleValue } from "@/server/testing/prometheus-text";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { GET } from "./route";

const TOKEN = "metrics-token-for-tests-0123456789";
let test: TestDatabase;

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test.close());

const noParams = { params: Promise.resolve({}) };
const scrape = (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => new Request("http://fleet.test/api/metrics", { headers });
const appWith = (env: Record<string, string>, db = test.db) => createTestAppContext(db, { env, overrides: { metrics: createFleetMetrics({ instance: "test-1" }) } });

describe("GET /api/metrics", () => {
  it("is off (503, JSON) until METRICS_TOKEN is set", async () => {
    const response = await GET.withApp(appWith({}))(scrape(), noParams);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining("METRICS_TOKEN") });
  });

  it("answers 401 without the token or with a wrong one", async () => {
    const handler = GET.withApp(appWith({ METRICS_TOKEN: TOKEN }));
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer wrong" }, { authorization: `Bearer ${TOKEN}x` }, { authorization: TOKEN }];
    for (const headers of attempts) {
      const response = await handler(scrape(headers), noParams);
      expect(response.status).toBe(401);
      expect(JSON.stringify(await response.json())).not.toContain(TOKEN);
    }
  });

  it("exposes the fleet's state from the database and this replica's series labelled with its instance", async () => {
    const now = Date.now();
    const [a, b, c] = await test.db
      .insert(nodes)
      .values([
        { name: "fra-1", location: "Frankfurt", panelUrl: "https://a.example.com/", inboundId: 1, maxUsers: 4, healthState: "healthy", lastCheckAt: new Date(now - 5_000), panelVersion: "2.6.8" },
        { name: "ams-1", panelUrl: "https://b.example.com/", inboundId: 1, maxUsers: 10, healthState: "unhealthy", adminState: "draining" },
        { name: "hel-1", panelUrl: "https://c.example.com/", inboundId: 1, maxUsers: 10, adminState: "disabled" },
      ])
      .returning();
    const users = await test.db
      .insert(vpnUsers)
      .values([1, 2, 3, 4].map((i) => ({ telegramId: 9000 + i, subscriptionToken: `metrics-sub-${i}` })))
      .returning();
    const assignment = (i: number, nodeId: string, state: "pending" | "active" | "revoked") => ({ userId: users[i]!.id, nodeId, inboundId: 1, clientId: `c${i}`, clientEmail: `fleet-m${i}`, state });
    await test.db.insert(assignments).values([assignment(0, a!.id, "active"), assignment(1, a!.id, "active"), assignment(2, a!.id, "pending"), assignment(3, b!.id, "revoked")]);
    await test.db.insert(operations).values([
      { kind: "failover", status: "succeeded", startedBy: "system" },
      { kind: "failover", status: "succeeded", startedBy: "system" },
      { kind: "drain", status: "running", startedBy: "ops" },
    ]);
    const queuedAt = new Date(now - 60_000);
    await test.db.insert(webhookDeliveries).values([
      { event: "key.moved", payload: {}, status: "pending", createdAt: queuedAt },
      { event: "key.moved", payload: {}, status: "pending" },
      { event: "node.down", payload: {}, status: "failed" },
      { channel: "telegram", event: "node.down", payload: {}, status: "delivered" },
    ]);
    const sweptAt = new Date(now - 20_000);
    await test.db.insert(cronRuns).values({ trigger: "http", startedAt: sweptAt });
    await test.db.insert(events).values({ kind: "failover.held", severity: "critical", message: "held", createdAt: new Date(now - 60_000) });

    const app = appWith({ METRICS_TOKEN: TOKEN, HEALTH_INTERVAL_SECONDS: "45" });
    app.metrics.panelCall({ id: a!.id, name: "fra-1" }, "timeout");
    const response = await GET.withApp(app)(scrape(), noParams);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const families = parseExposition(await response.text());

    const fra = { node_id: a!.id, node: "fra-1" };
    expect(sampleValue(families, "fleet_database_up")).toBe(1);
    expect(sampleValue(families, "fleet_node_info", fra)).toBe(1);
    expect(families.get("fleet_node_info")!.samples.find((s) => s.labels.node === "fra-1")!.labels).toMatchObject({ location: "Frankfurt", panel_version: "2.6.8" });
    expect(sampleValue(families, "fleet_node_users", fra)).toBe(3);
    expect(sampleValue(families, "fleet_node_users", { node: "ams-1" })).toBe(0);
    expect(sampleValue(families, "fleet_node_max_users", fra)).toBe(4);
    expect(sampleValue(families, "fleet_node_last_check_timestamp_seconds", fra)).toBeCloseTo((now - 5_000) / 1000, 0);
    expect(sampleValue(families, "fleet_node_last_check_timestamp_seconds", { node: "hel-1" })).toBe(0);
    // A state set: every state of every node, 1 for the current one.
    const healthOf = (node: string) => Object.fromEntries(families.get("fleet_node_health_state")!.samples.filter((s) => s.labels.node === node).map((s) => [s.labels.state, s.value]));
    expect(healthOf("ams-1")).toEqual({ unknown: 0, healthy: 0, degraded: 0, unhealthy: 1, auth_error: 0, misconfigured: 0 });
    expect(healthOf("hel-1")).toEqual({ unknown: 1, healthy: 0, degraded: 0, unhealthy: 0, auth_error: 0, misconfigured: 0 });
    expect(sampleValue(families, "fleet_node_admin_state", { node: "ams-1", state: "draining" })).toBe(1);
    expect(sampleValue(families, "fleet_node_admin_state", { node: "hel-1", state: "active" })).toBe(0);
    expect(sampleValue(families, "fleet_node_admin_state", { node_id: c!.id, state: "disabled" })).toBe(1);

    expect(sampleValue(families, "fleet_operations_finished_total", { kind: "failover", status: "succeeded" })).toBe(2);
    expect(sampleValue(families, "fleet_operations_open", { kind: "drain", status: "running" })).toBe(1);
    expect(sampleValue(families, "fleet_webhook_deliveries", { channel: "webhook", status: "pending" })).toBe(2);
    expect(sampleValue(families, "fleet_webhook_deliveries", { channel: "webhook", status: "failed" })).toBe(1);
    expect(sampleValue(families, "fleet_webhook_deliveries", { channel: "telegram", status: "pending" })).toBe(0);
    expect(sampleValue(families, "fleet_webhook_oldest_pending_timestamp_seconds", { channel: "webhook" })).toBeCloseTo(queuedAt.getTime() / 1000, 0);
    expect(sampleValue(families, "fleet_health_last_sweep_timestamp_seconds")).toBeCloseTo(sweptAt.getTime() / 1000, 0);
    expect(sampleValue(families, "fleet_health_interval_seconds")).toBe(45);
    expect(sampleValue(families, "fleet_failover_held")).toBe(1);

    // Fleet gauges carry no instance (every replica agrees); this replica's series all do.
    expect(families.get("fleet_node_users")!.samples.every((s) => !("instance" in s.labels))).toBe(true);
    expect(sampleValue(families, "fleet_panel_call_errors_total", { ...fra, kind: "timeout", instance: "test-1" })).toBe(1);
    expect(sampleValue(families, "fleet_rate_limit_refusals_total", { limiter: "sign-in-address", instance: "test-1" })).toBe(0);
    expect(families.get("process_cpu_user_seconds_total")!.samples[0]!.labels.instance).toBe("test-1");
  });

  it("still answers with this replica's series, and fleet_database_up 0, when the database is gone", async () => {
    const gone = await openDatabase({ url: test.url, maxConnections: 1 });
    await gone.close();
    const app = appWith({ METRICS_TOKEN: TOKEN }, gone.db);
    app.metrics.rateLimitRefused("sign-in-account-address");
    const response = await GET.withApp(app)(scrape(), noParams);
    expect(response.status).toBe(200);
    const families = parseExposition(await response.text());
    expect(sampleValue(families, "fleet_database_up")).toBe(0);
    expect(families.has("fleet_node_users")).toBe(false);
    expect(sampleValue(families, "fleet_rate_limit_refusals_total", { limiter: "sign-in-account-address" })).toBe(1);
  });
});
