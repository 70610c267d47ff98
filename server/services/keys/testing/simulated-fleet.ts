/**
 * Simulated panels registered as nodes, for the key, subscription and reconcile tests and for
 * `npm run bench:keys`: each node row points at its own simulator, and the panel factory hands out
 * one cached client per node, as the production factory does.
 */
import type { Database } from "@/server/db/client";
import { nodes, type NewNode, type Node } from "@/server/db/schema";
import { createPanelClient } from "@/server/x3ui/client";
import { startSimulator, type SimulatedPanel } from "@/server/x3ui/simulator";
import type { PanelClient } from "@/server/x3ui/types";
import type { PanelFactory } from "../key-deps";

export type NodeSpec = Partial<Omit<NewNode, "panelUrl" | "inboundId">> & { name: string; version?: string };

export type SimulatedFleet = {
  panels: Map<string, SimulatedPanel>;
  nodes: Node[];
  panelFor: PanelFactory;
  /** The simulator behind a node, by node name. */
  panel(name: string): SimulatedPanel;
  node(name: string): Node;
  close(): Promise<void>;
};

/** `trafficPollMs`: the panels' traffic job period (default the versions' real one; 0 = tests poll by hand). */
export async function startSimulatedFleet(db: Database, specs: NodeSpec[], options: { timeoutMs?: number; trafficPollMs?: number } = {}): Promise<SimulatedFleet> {
  const panels = new Map<string, SimulatedPanel>();
  const rows: Node[] = [];
  try {
    for (const { version, ...spec } of specs) {
      const panel = await startSimulator({ version: version ?? "g3", trafficPollMs: options.trafficPollMs });
      const [row] = await db
        .insert(nodes)
        .values({ healthState: "healthy", maxUsers: 100, ...spec, panelUrl: panel.url, panelUsername: panel.username, inboundId: panel.inboundId })
        .returning();
      if (!row) throw new Error("node insert returned nothing");
      panels.set(row.id, panel);
      rows.push(row);
    }
  } catch (error) {
    await Promise.all([...panels.values()].map((p) => p.close()));
    throw error;
  }
  const clients = new Map<string, PanelClient>();
  const panelFor: PanelFactory = (node) => {
    let client = clients.get(node.id);
    if (!client) {
      const panel = panels.get(node.id);
      if (!panel) throw new Error(`no simulator for node ${node.id}`);
      client = createPanelClient({ baseUrl: panel.url, username: panel.username, password: panel.password, timeoutMs: options.timeoutMs ?? 2_000 });
      clients.set(node.id, client);
    }
    return client;
  };
  const byName = (name: string) => {
    const row = rows.find((n) => n.name === name);
    if (!row) throw new Error(`no node ${name}`);
    return row;
  };
  return {
    panels,
    nodes: rows,
    panelFor,
    node: byName,
    panel: (name) => panels.get(byName(name).id) as SimulatedPanel,
    close: async () => {
      await Promise.all([...panels.values()].map((p) => p.close()));
    },
  };
}
