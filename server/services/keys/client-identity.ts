/**
 * A panel client's identity, fixed before any panel call and stored on its assignment row: the email
 * and the secret the protocol needs. Issued emails are `<prefix><telegram id>-<node tag>-<assignment
 * tag>`: derived from the assignment id, so a retry or read-back names the same client, and from the
 * node it was issued for, so a client is recognisably ours *on that node* even before its row is
 * read (invariant 11: a node never takes another node's client for its own, even when an operator
 * pointed two nodes at one inbound). Adopted clients keep the operator's email and secret verbatim.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Assignment } from "@/server/db/schema";
import { PanelError, type Inbound, type InboundClient, type NewClient } from "@/server/x3ui/types";
import { hasPlan, planPatch, type ClientPlan } from "./client-plan";

const TAG_LENGTH = 12;

/** 48 bits of the node's id: the part of an issued email that names the node. */
export function nodeTag(nodeId: string): string {
  return nodeId.replaceAll("-", "").slice(0, TAG_LENGTH).toLowerCase();
}

export function newAssignmentIdentity(prefix: string, telegramId: number, nodeId: string): { assignmentId: string; clientId: string; clientEmail: string } {
  const assignmentId = randomUUID();
  // The telegram id makes a client recognisable in the panel's own UI; the assignment id makes it unique.
  const clientEmail = `${prefix}${telegramId}-${nodeTag(nodeId)}-${assignmentId.replaceAll("-", "").slice(0, TAG_LENGTH)}`;
  return { assignmentId, clientId: randomUUID(), clientEmail };
}

/** The node tag of an email with the shape we issue (`null` for the older untagged shape), or undefined for any other email. */
function issuedTag(email: string, prefix: string): string | null | undefined {
  const lower = email.toLowerCase();
  const p = prefix.toLowerCase();
  if (!lower.startsWith(p)) return undefined;
  const match = /^\d+-(?:([0-9a-f]{12})-)?[0-9a-f]{12}$/.exec(lower.slice(p.length));
  return match ? (match[1] ?? null) : undefined;
}

/** Whether this email has the shape of one we issue for this node (whether a row still names it is another matter). */
export function isIssuedFor(email: string, prefix: string, nodeId: string): boolean {
  return issuedTag(email, prefix) === nodeTag(nodeId);
}

/** Whether this email has the shape of one we issue, for any node or before emails carried one: never an operator's to adopt. */
export function isIssuedShape(email: string, prefix: string): boolean {
  return issuedTag(email, prefix) !== undefined;
}

/** What the secret on the panel derives from: an issued client id, or an adopted client's own secret. */
export type ClientKey = Pick<Assignment, "clientId"> & { clientOrigin?: Assignment["clientOrigin"] };

function shadowsocksMethod(inbound: Inbound): string {
  return typeof inbound.settings.method === "string" ? inbound.settings.method : "";
}

/**
 * The secret stored on the panel for our client. Shadowsocks 2022 needs a base64 key of the cipher's
 * length, so an issued one is derived from the id — deterministic, so the reconciler can check it.
 * An adopted client's secret is what the panel had: kept as it is.
 */
export function panelSecretFor(inbound: Inbound, key: ClientKey): { id?: string; password?: string } {
  const clientId = key.clientId;
  if (key.clientOrigin === "adopted") return inbound.protocol === "vless" || inbound.protocol === "vmess" ? { id: clientId } : { password: clientId };
  switch (inbound.protocol) {
    case "vless":
    case "vmess":
      return { id: clientId };
    case "trojan":
      return { password: clientId };
    case "shadowsocks": {
      const method = shadowsocksMethod(inbound);
      if (!method.startsWith("2022-")) return { password: clientId };
      const bytes = method.includes("aes-128") ? 16 : 32;
      return { password: createHash("sha256").update(clientId).digest().subarray(0, bytes).toString("base64") };
    }
    default:
      // The node's inbound must be one we can issue keys on; the nodes service checks it on save.
      throw new PanelError("protocol", `inbound protocol ${inbound.protocol} cannot take clients`);
  }
}

/** The flow (VLESS Vision where the transport allows it) and VMess cipher a client of this inbound gets. */
export function clientTransport(inbound: Inbound): { flow?: string; security?: string } {
  const isVisionCapable =
    inbound.protocol === "vless" &&
    inbound.streamSettings.network === "tcp" &&
    (inbound.streamSettings.security === "reality" || inbound.streamSettings.security === "tls");
  return { ...(isVisionCapable ? { flow: "xtls-rprx-vision" } : {}), ...(inbound.protocol === "vmess" ? { security: "auto" } : {}) };
}

export function newClientFor(inbound: Inbound, spec: ClientKey & { clientEmail: string }, plan: ClientPlan): NewClient {
  return {
    email: spec.clientEmail,
    ...panelSecretFor(inbound, spec),
    ...planPatch(plan),
    ...clientTransport(inbound),
    comment: "managed by the fleet control plane",
  };
}

/** Whether the panel's copy of our client still carries the secret we issued and the user's plan. */
export function isClientIntact(inbound: Inbound, key: ClientKey, client: InboundClient, plan: ClientPlan): boolean {
  const secret = panelSecretFor(inbound, key);
  return hasPlan(client, plan) && (secret.id === undefined || client.id === secret.id) && (secret.password === undefined || client.password === secret.password);
}
