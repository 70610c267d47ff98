/** Test support: node-service deps over a test database, and nodes backed by simulated panels. */
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { admins, nodes, type AdminRole, type Node } from "@/server/db/schema";
import { parseKeyRing } from "@/server/crypto/secret-box";
import { createPanelClient } from "@/server/x3ui/client";
import type { SimulatedPanel } from "@/server/x3ui/simulator";
import type { Actor } from "../actor";
import { createNode } from "./create-node";
import type { CreateNodeInput } from "./node-input";
import { dnsResolver } from "./panel-address-guard";
import { createPanelClientFactory, type PanelClientFactory } from "./panel-for-node";
import type { NodeServiceDeps } from "./save-node";
import type { TestConnectionDeps } from "./test-connection";

/** An admin row (audit rows reference it) and the actor for it. */
export async function createTestActor(db: Database, role: AdminRole = "admin"): Promise<Actor> {
  const username = `${role}-${randomBytes(3).toString("hex")}`;
  const [admin] = await db.insert(admins).values({ username, passwordHash: "unused", role }).returning();
  return { adminId: admin!.id, username, role, ip: "127.0.0.1", userAgent: "vitest" };
}

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
