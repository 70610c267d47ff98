import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Node } from "@/server/db/schema";
import { createFleetMetrics } from "@/server/metrics/fleet-metrics";
import { parseExposition, sampleValue } from "@/server/testing/prometheus-text";
import { createPanelClient } from "@/server/x3ui/client";
import { startSimulator, type SimulatedPanel } from "@/server/x3ui/simulator";
import type { PanelClient } from "@/server/x3ui/types";
import { countPanelCalls } from "./count-panel-calls";

let panel: SimulatedPanel;
beforeAll(async () => {
  panel = await startSimulator({ version: "2.6.8" });
});
afterAll(async () => panel.close());

const node = { id: "5b0c3c1e-1b4a-4d43-9c55-000000000001", name: "fra-1" } as Node;

describe("countPanelCalls", () => {
  it("counts each call per node and each failure by its kind, and hands out one wrapper per client", async () => {
    const metrics = createFleetMetrics({ instance: "t" });
    const clients = new Map<string, PanelClient>();
    const panelFor = countPanelCalls((n) => {
      const client = clients.get(n.id) ?? createPanelClient({ baseUrl: panel.url, username: panel.username, password: panel.password, timeoutMs: 2_000 });
      clients.set(n.id, client);
      return client;
    }, metrics);

    const client = panelFor(node);
    expect(panelFor(node)).toBe(client);
    await client.getServerStatus();
    expect(client.generation).toBe("g2");
    await expect(client.getInbound(9_999)).rejects.toMatchObject({ kind: "not_found" });
    await panel.close();
    await expect(client.listInbounds()).rejects.toMatchObject({ kind: "unreachable" });

    const families = parseExposition(await metrics.render());
    const labels = { node_id: node.id, node: "fra-1" };
    // Sign-in and detection are part of the calls they serve: three calls in all.
    expect(sampleValue(families, "fleet_panel_calls_total", labels)).toBe(3);
    expect(sampleValue(families, "fleet_panel_call_errors_total", { ...labels, kind: "not_found" })).toBe(1);
    expect(sampleValue(families, "fleet_panel_call_errors_total", { ...labels, kind: "unreachable" })).toBe(1);
  });
});
