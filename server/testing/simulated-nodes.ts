/** Test support: node-service deps over a test database, and nodes backed by simulated panels. */
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { nodes, type Node } from "@/server/db/schema";
import { parseKeyRing } from "@/server/crypto/secret-box";
import { createPanelClient } from "@/server/x3ui/client";
import type { SimulatedPanel } from "@/server/x3ui/simulator";
import type { Actor } from "@/server/services/actor";
import { createNode } from "@/server/services/nodes/create-node";
import type { CreateNodeInput } from "@/server/services/nodes/node-input";
import { dnsResolver } from "@/server/services/nodes/panel-address-guard";
import { createPanelClientFactory, type PanelClientFactory } from "@/server/services/nodes/panel-for-node";
import type { NodeServiceDeps } from "@/server/services/nodes/save-node";
import type { TestConnectionDeps } from "@/server/services/nodes/test-connection";

export function testNodeDeps(db: Database, timeoutMs = 2000): NodeServiceDeps & TestConnectionDeps & { panelFor: PanelClientFactory } {
  const keyRing = parseKeyRing(`t1:${randomBytes(32).toString("base64")}`);
  // Simulated panels listen on 127.0.0.1, which the SSRF guard refuses unless private panels are allowed.
  const addressPolicy = { allowPrivate: true, resolve: dnsResolver };
  return {
    db,
    keyRing,
    addressPolicy,
    createClient: createPanelClient,
    timeoutMs,
    panelFor: createPanelClientFactory({ keyRing, timeoutMs, createClient: createPanelClient, addressPolicy }),
  };
}

export function nodeInputFor(sim: SimulatedPanel, name: string, overrides: Partial<CreateNodeInput> = {}): CreateNodeInput {
  return {
    name,
    panelUrl: sim.url,
    ...(sim.apiToken ? { panelApiToken: sim.apiToken } : { panelUsername: sim.username, panelPassword: sim.password }),
    inboundId: sim.inboundId,
    ...overrides,
  };
}

export async function addSimulatedNodes(deps: NodeServiceDeps, actor: Actor, sims: SimulatedPanel[], prefix = "node"): Promise<Node[]> {
  const added: Node[] = [];
  for (const [i, sim] of sims.entries()) {
    const view = await createNode(deps, actor, nodeInputFor(sim, `${prefix}-${i}`));
    const [row] = await deps.db.select().from(nodes).where(eq(nodes.id, view.id));
    added.push(row!);
  }
  return added;
}
