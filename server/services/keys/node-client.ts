/**
 * The panel steps every key flow is built from, reusable by migration (create on the target
 * first, switch the assignment, delete on the source now or via the reconciler) and plan changes:
 *
 * - `createClientOnNode` — idempotent by email: a duplicate or a timeout is read back, and a
 *   client that exists with our secret counts as created (invariant 8: unknown is not failed).
 *   The client carries the user's plan (keys/client-plan.ts).
 * - `applyPlanOnNode` — writes a plan onto an existing client.
 * - `deleteClientFromNode` — idempotent: a client that is already gone counts as deleted. Its
 *   counter is read and added to the traffic ledger first, so the bytes it counted since the last
 *   ledger pass are not lost with it.
 *
 * All run under `withNodeMutation` (invariant 7). None changes an assignment: the caller owns the
 * assignment row and its state transitions.
 */
import type { Database } from "@/server/db/client";
import type { Node } from "@/server/db/schema";
import { logger } from "@/server/logger";
import type { Clock } from "@/server/services/clock";
import { applyReadings } from "@/server/services/ledger/apply-readings";
import { buildShareLink } from "@/server/x3ui/share-link";
import { isPanelError, type Inbound, type PanelClient } from "@/server/x3ui/types";
import { clientTransport, isClientIntact, newClientFor, panelSecretFor } from "./client-identity";
import { planPatch, type ClientPlan } from "./client-plan";
import type { NodeLeaseOptions, PanelFactory } from "./key-deps";
import { withNodeMutation } from "./node-mutation";

export type NodeClientDeps = { db: Database; panelFor: PanelFactory; lease?: NodeLeaseOptions; clock?: Clock };

export type ClientSpec = {
  /** The assignment's inbound on that node (normally node.inboundId at placement time). */
  inboundId: number;
  clientId: string;
  clientEmail: string;
  plan: ClientPlan;
};

export type CreateOutcome = {
  /** created = our add went through; existed = an earlier attempt had already made it; repaired = it existed with a drifted secret or switched off, and was fixed. */
  outcome: "created" | "existed" | "repaired";
  shareLink: string;
};

// The inbound's protocol and stream settings are needed for every new client and link; they change
// only when an admin edits the panel, so a short cache keeps one panel call off the new-user path.
const INBOUND_TTL_MS = 60_000;
const inboundCache = new Map<string, { inbound: Inbound; expiresAt: number }>();

async function readInbound(panel: PanelClient, node: Node, inboundId: number): Promise<Inbound> {
  const key = `${node.id}:${inboundId}:${node.updatedAt.getTime()}`;
  const cached = inboundCache.get(key);
  if (cached && cached.expiresAt > Date.now()) return cached.inbound;
  const inbound = await panel.getInbound(inboundId);
  inboundCache.set(key, { inbound, expiresAt: Date.now() + INBOUND_TTL_MS });
  return inbound;
}

/** Host users connect to: the node's public override, else the panel's own host. */
export function publicHostOf(node: Pick<Node, "publicHost" | "panelUrl">): string {
  return node.publicHost ?? new URL(node.panelUrl).hostname;
}

export function remarkFor(node: Pick<Node, "name" | "location">): string {
  return node.location ? `${node.location} · ${node.name}` : node.name;
}

export function shareLinkFor(node: Node, inbound: Inbound, spec: Pick<ClientSpec, "clientId" | "clientEmail">): string {
  const secret = panelSecretFor(inbound, spec.clientId);
  const transport = clientTransport(inbound);
  return buildShareLink({
    inbound,
    client: { email: spec.clientEmail, id: secret.id ?? "", password: secret.password ?? "", flow: transport.flow ?? "", security: transport.security ?? "", subId: "" },
    host: publicHostOf(node),
    port: node.publicPort ?? undefined,
    remark: remarkFor(node),
  });
}

export async function createClientOnNode(deps: NodeClientDeps, node: Node, spec: ClientSpec): Promise<CreateOutcome> {
  const panel = deps.panelFor(node);
  return withNodeMutation(
    deps.db,
    node.id,
    async () => {
      const inbound = await readInbound(panel, node, spec.inboundId);
      const outcome = await addOrAdopt(panel, inbound, spec);
      return { outcome, shareLink: shareLinkFor(node, inbound, spec) };
    },
    deps.lease,
  );
}

async function addOrAdopt(panel: PanelClient, inbound: Inbound, spec: ClientSpec): Promise<CreateOutcome["outcome"]> {
  try {
    await panel.addClient(spec.inboundId, newClientFor(inbound, spec, spec.plan));
    return "created";
  } catch (error) {
    // duplicate: an earlier attempt (ours, by construction of the email) landed; timeout: it may have.
    if (!isPanelError(error, "duplicate") && !isPanelError(error, "timeout")) throw error;
    const existing = await panel.getClient(spec.inboundId, spec.clientEmail);
    // Missing after a duplicate means the email is taken on another inbound: not ours to adopt.
    if (!existing) throw error;
    if (isClientIntact(inbound, spec.clientId, existing, spec.plan)) return "existed";
    await panel.updateClient(spec.inboundId, spec.clientEmail, { ...panelSecretFor(inbound, spec.clientId), ...planPatch(spec.plan) });
    return "repaired";
  }
}

/** A change to one of our clients under the node's write guard (invariant 7); "absent" when the panel does not have it. */
function mutateClient<T>(deps: NodeClientDeps, node: Node, change: (panel: PanelClient) => Promise<T>): Promise<T | "absent"> {
  const panel = deps.panelFor(node);
  return withNodeMutation(
    deps.db,
    node.id,
    async () => {
      try {
        return await change(panel);
      } catch (error) {
        if (isPanelError(error, "not_found")) return "absent" as const;
        throw error;
      }
    },
    deps.lease,
  );
}

/** Writes the plan onto our client; "absent" when it is not there (the reconciler re-creates it). */
export function applyPlanOnNode(deps: NodeClientDeps, node: Node, client: { inboundId: number; clientEmail: string }, plan: ClientPlan): Promise<"updated" | "absent"> {
  return mutateClient(deps, node, async (panel) => {
    await panel.updateClient(client.inboundId, client.clientEmail, planPatch(plan));
    return "updated" as const;
  });
}

/** Adds the client's counter to the ledger right before it goes; a failed read only costs the bytes since the last pass. */
async function recordFinalReading(deps: NodeClientDeps, panel: PanelClient, node: Node, client: { inboundId: number; clientEmail: string }): Promise<void> {
  const traffic = await panel.getClientTraffic(client.clientEmail).catch((error: unknown) => {
    logger.warn("could not read a client's counter before deleting it", { nodeId: node.id, error });
    return null;
  });
  if (!traffic) return;
  await applyReadings(deps.db, {
    nodeId: node.id,
    at: deps.clock?.now() ?? new Date(),
    readings: [{ inboundId: client.inboundId, email: traffic.email, up: traffic.up, down: traffic.down }],
  });
}

/** Removes our client; "absent" when it was not there (already deleted, or never created). */
export function deleteClientFromNode(deps: NodeClientDeps, node: Node, client: { inboundId: number; clientEmail: string }): Promise<"deleted" | "absent"> {
  return mutateClient(deps, node, async (panel) => {
    await recordFinalReading(deps, panel, node, client);
    try {
      await panel.deleteClient(client.inboundId, client.clientEmail);
      return "deleted" as const;
    } catch (error) {
      if (!isPanelError(error, "timeout")) throw error;
      // Unknown outcome: it is deleted only if a read-back no longer finds it.
      if ((await panel.getClient(client.inboundId, client.clientEmail)) === null) return "deleted" as const;
      throw error;
    }
  });
}

/** Reads the inbound (cached) without mutating; the reconciler needs it to judge drift. */
export async function readNodeInbound(deps: Pick<NodeClientDeps, "panelFor">, node: Node, inboundId: number): Promise<Inbound> {
  return readInbound(deps.panelFor(node), node, inboundId);
}
