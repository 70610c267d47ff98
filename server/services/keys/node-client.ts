/**
 * The panel steps every key flow is built from — placement, refresh, revoke, migration and the
 * reconciler — run by a caller that holds the node's writer (node-writer.ts, invariant 7):
 *
 * - `createClientOnNode` — idempotent by email: after a duplicate or an answer that leaves the
 *   outcome unknown (a reset after sending, 5xx, a body that does not parse), the client is read
 *   back by email, and one that exists with our secret counts as created (invariant 8: unknown is
 *   not failed). A timeout, or a read-back that cannot tell either, is OutcomeUnknownError: the
 *   caller must not create the user anywhere else until a later read-back settles it. The client
 *   carries the user's plan (keys/client-plan.ts).
 * - `removeClientFromNode` — idempotent: a client already gone counts as removed. Its counter is
 *   read into the traffic ledger first, so the bytes it counted since the last ledger pass are not
 *   lost with it. A panel that refuses the delete (v2 keeps an inbound's last client) gets the
 *   client switched off instead, which drops it from the running Xray: a key that should not work
 *   does not (invariant 10).
 * - `applyPlanOnNode` — writes a plan onto an existing client, taking the node's writer itself.
 *
 * None changes an assignment: the caller owns the assignment row and commits what happened,
 * fenced by its writer.
 */
import type { Node } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { applyReadings } from "@/server/services/ledger/apply-readings";
import { buildShareLink } from "@/server/x3ui/share-link";
import { isOutcomeUnknown, isPanelError, PanelError, type Inbound, type PanelClient } from "@/server/x3ui/types";
import { clientTransport, isClientIntact, newClientFor, panelSecretFor, type ClientKey } from "./client-identity";
import { planPatch, type ClientPlan } from "./client-plan";
import type { KeyWorkDeps, PanelFactory } from "./key-deps";
import { withNodeWriter, type NodeWriter } from "./node-writer";

/** A write whose outcome neither the panel's answer nor a read-back could establish. */
export class OutcomeUnknownError extends Error {
  override readonly name = "OutcomeUnknownError";
}

export type ClientSpec = {
  /** The assignment's inbound on that node (normally node.inboundId at placement time). */
  inboundId: number;
  clientId: string;
  /** Absent = issued. */
  clientOrigin?: ClientKey["clientOrigin"];
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

export function shareLinkFor(node: Node, inbound: Inbound, spec: Pick<ClientSpec, "clientId" | "clientOrigin" | "clientEmail">): string {
  const secret = panelSecretFor(inbound, spec);
  const transport = clientTransport(inbound);
  return buildShareLink({
    inbound,
    client: { email: spec.clientEmail, id: secret.id ?? "", password: secret.password ?? "", flow: transport.flow ?? "", security: transport.security ?? "", subId: "" },
    host: publicHostOf(node),
    port: node.publicPort ?? undefined,
    remark: remarkFor(node),
  });
}

export async function createClientOnNode(panelFor: PanelFactory, writer: NodeWriter, node: Node, spec: ClientSpec): Promise<CreateOutcome> {
  const panel = panelFor(node);
  const inbound = await readInbound(panel, node, spec.inboundId);
  writer.assertHeld();
  const outcome = await addOrAdopt(panel, writer, inbound, spec);
  return { outcome, shareLink: shareLinkFor(node, inbound, spec) };
}

/** The read-back after an unknown outcome; a read that fails too leaves the outcome unknown. */
async function readBack(panel: PanelClient, writer: NodeWriter, client: { inboundId: number; clientEmail: string }, after: unknown) {
  writer.assertHeld();
  try {
    return await panel.getClient(client.inboundId, client.clientEmail);
  } catch (error) {
    throw new OutcomeUnknownError(`${client.clientEmail}: the panel's answer and the read-back both failed`, { cause: [after, error] });
  }
}

/** The same failure, known now not to have been applied (a read-back did not find it). */
function notApplied(error: PanelError): PanelError {
  return new PanelError(error.kind, `${error.message} (read back: not applied)`, error.status, { cause: error, mayHaveApplied: false });
}

async function addOrAdopt(panel: PanelClient, writer: NodeWriter, inbound: Inbound, spec: ClientSpec): Promise<CreateOutcome["outcome"]> {
  try {
    await panel.addClient(spec.inboundId, newClientFor(inbound, spec, spec.plan));
    return "created";
  } catch (error) {
    // duplicate: an earlier attempt (ours, by construction of the email) landed; unknown: it may have.
    const isDuplicate = isPanelError(error, "duplicate");
    if (!isDuplicate && !isOutcomeUnknown(error)) throw error;
    // A panel that did not answer in time would most likely not answer a read-back either: that costs
    // this request a second timeout. The next request reads it back, once the node's cool-off is over.
    if (isPanelError(error, "timeout")) throw new OutcomeUnknownError(`${spec.clientEmail}: no answer from the panel`, { cause: error });
    const existing = await readBack(panel, writer, spec, error);
    // Missing after a duplicate means the email is taken on another inbound: not ours to adopt.
    if (!existing) throw isDuplicate ? error : notApplied(error as PanelError);
    if (isClientIntact(inbound, spec, existing, spec.plan)) return "existed";
    writer.assertHeld();
    await panel.updateClient(spec.inboundId, spec.clientEmail, { ...panelSecretFor(inbound, spec), ...planPatch(spec.plan) });
    return "repaired";
  }
}

/**
 * Takes our client off the panel: "deleted", "absent" (it was not there), or "disabled" when the
 * panel refused the delete and the client was switched off instead (delete it later).
 */
export async function removeClientFromNode(
  deps: Pick<KeyWorkDeps, "db" | "panelFor" | "clock">,
  writer: NodeWriter,
  node: Node,
  client: { inboundId: number; clientEmail: string },
): Promise<"deleted" | "absent" | "disabled"> {
  const panel = deps.panelFor(node);
  await recordFinalReading(deps, panel, node, client);
  writer.assertHeld();
  try {
    await panel.deleteClient(client.inboundId, client.clientEmail);
    return "deleted";
  } catch (error) {
    if (isPanelError(error, "not_found")) return "absent";
    // A refusal (success:false) or an unknown outcome: what is on the panel now decides.
    const isRefusal = isPanelError(error, "protocol") && error.status === 200 && !error.mayHaveApplied;
    if (!isRefusal && !isOutcomeUnknown(error)) throw error;
    const existing = await readBack(panel, writer, client, error);
    if (!existing) return "deleted";
    if (existing.enable) {
      writer.assertHeld();
      await panel.updateClient(client.inboundId, client.clientEmail, { enable: false });
    }
    return "disabled";
  }
}

/** Adds the client's counter to the ledger right before it goes; a failed read only costs the bytes since the last pass. */
async function recordFinalReading(
  deps: Pick<KeyWorkDeps, "db" | "clock">,
  panel: PanelClient,
  node: Node,
  client: { inboundId: number; clientEmail: string },
): Promise<void> {
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

/** Writes the plan onto our client under the node's writer; "absent" when it is not there (the reconciler re-creates it). */
export function applyPlanOnNode(
  deps: Pick<KeyWorkDeps, "db" | "panelFor" | "writer">,
  node: Node,
  client: { inboundId: number; clientEmail: string },
  plan: ClientPlan,
): Promise<"updated" | "absent"> {
  return withNodeWriter(deps, node.id, async (writer) => {
    writer.assertHeld();
    try {
      await deps.panelFor(node).updateClient(client.inboundId, client.clientEmail, planPatch(plan));
      return "updated" as const;
    } catch (error) {
      if (isPanelError(error, "not_found")) return "absent" as const;
      throw error;
    }
  });
}

/** Reads the inbound (cached) without mutating; the reconciler needs it to judge drift. */
export async function readNodeInbound(panelFor: PanelFactory, node: Node, inboundId: number): Promise<Inbound> {
  return readInbound(panelFor(node), node, inboundId);
}
