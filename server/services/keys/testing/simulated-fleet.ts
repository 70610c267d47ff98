/**
 * Simulated panels registered as nodes, for the key, subscription and reconcile tests and for
 * `npm run bench:keys`: each node row points at its own simulator, and the panel factory hands out
 * one cached client per node, as the production factory does.
 */
import type { Database } from "@/server/db/client";
import { nodes, type NewNode, type Node } from "@/server/db/schema";
import { createPanelClient } from "@/server/x3ui/client";
import { startFaultProxy, type FaultProxy } from "@/server/x3ui/testing/fault-proxy";
import { startSimulator, type SimulatedPanel } from "@/server/x3ui/simulator";
import type { PanelClient } from "@/server/x3ui/types";
import type { PanelFactory } from "../key-deps";

export type NodeSpec = Partial<Omit<NewNode, "panelUrl" | "inboundId">> & { name: string; version?: string };

export type SimulatedFleet = {
  panels: Map<string, SimulatedPanel>;
  nodes: Node[];
  panelFor: PanelFactory;
  /** Independent panel clients (sessions of their own), as another replica of the app has. */
  newPanelFactory(): PanelFactory;
  /** The fault proxy in front of a node's panel, by node name (fleets started with `proxied`). */
  proxy(name: string): FaultProxy;
  /** The simulator behind a node, by node name. */
  panel(name: string): SimulatedPanel;
  node(name: string): Node;
  close(): Promise<void>;
};

/**
 * `trafficPollMs`: the panels' traffic job period (default the versions' real one; 0 = tests poll by hand).
 * `proxied`: every panel sits behind a fault proxy (server/x3ui/testing/fault-proxy.ts) and the node row
 * points at the proxy, so tests can spoil requests on the way.
 */
export async function startSimulatedFleet(
  db: Database,
  specs: NodeSpec[],
  options: { timeoutMs?: number; trafficPollMs?: number; proxied?: boolean } = {},
): Promise<SimulatedFleet> {
  const panels = new Map<string, SimulatedPanel>();
  const proxies = new Map<string, FaultProxy>();
  const rows: Node[] = [];
  const closeAll = async () => {
    await Promise.all([...proxies.values()].map((p) => p.close()));
    await Promise.all([...panels.values()].map((p) => p.close()));
  };
  try {
    for (const { version, ...spec } of specs) {
      const panel = await startSimulator({ version: version ?? "g3", trafficPollMs: options.trafficPollMs });
      const proxy = options.proxied ? await startFaultProxy(panel.url) : null;
      const [row] = await db
        .insert(nodes)
        .values({ healthState: "healthy", maxUsers: 100, ...spec, panelUrl: proxy?.url ?? panel.url, panelUsername: panel.username, inboundId: panel.inboundId })
        .returning();
      if (!row) throw new Error("node insert returned nothing");
      panels.set(row.id, panel);
      if (proxy) proxies.set(row.id, proxy);
      rows.push(row);
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  const newPanelFactory = (): PanelFactory => {
    const clients = new Map<string, PanelClient>();
    return (node) => {
      let client = clients.get(node.id);
      if (!client) {
        const panel = panels.get(node.id);
        if (!panel) throw new Error(`no simulator for node ${node.id}`);
        const baseUrl = proxies.get(node.id)?.url ?? panel.url;
        client = createPanelClient({ baseUrl, username: panel.username, password: panel.password, timeoutMs: options.timeoutMs ?? 2_000 });
        clients.set(node.id, client);
      }
      return client;
    };
  };
  const panelFor = newPanelFactory();
  const byName = (name: string) => {
    const row = rows.find((n) => n.name === name);
    if (!row) throw new Error(`no node ${name}`);
    return row;
  };
  return {
    panels,
    nodes: rows,
    panelFor,
    newPanelFactory,
    node: byName,
    panel: (name) => panels.get(byName(name).id) as SimulatedPanel,
    proxy: (name) => {
      const proxy = proxies.get(byName(name).id);
      if (!proxy) throw new Error(`node ${name} has no fault proxy: start the fleet with proxied`);
      return proxy;
    },
    close: closeAll,
  };
}
