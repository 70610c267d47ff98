/**
 * A panel client's identity, fixed before any panel call: the email (prefixed, derived from the
 * assignment id, so a retry or read-back names the same client) and the secret the protocol needs.
 */
import { createHash, randomUUID } from "node:crypto";
import { PanelError, type Inbound, type InboundClient, type NewClient } from "@/server/x3ui/types";
import { hasPlan, planPatch, type ClientPlan } from "./client-plan";

export function newAssignmentIdentity(prefix: string, telegramId: number): { assignmentId: string; clientId: string; clientEmail: string } {
  const assignmentId = randomUUID();
  // The telegram id makes a client recognisable in the panel's own UI; the assignment id makes it unique.
  const clientEmail = `${prefix}${telegramId}-${assignmentId.replaceAll("-", "").slice(0, 12)}`;
  return { assignmentId, clientId: randomUUID(), clientEmail };
}

export function hasPrefix(email: string, prefix: string): boolean {
  return email.toLowerCase().startsWith(prefix.toLowerCase());
}

function shadowsocksMethod(inbound: Inbound): string {
  return typeof inbound.settings.method === "string" ? inbound.settings.method : "";
}

/**
 * The secret stored on the panel for our client id. Shadowsocks 2022 needs a base64 key of the
 * cipher's length, so it is derived from the id — deterministic, so the reconciler can check it.
 */
export function panelSecretFor(inbound: Inbound, clientId: string): { id?: string; password?: string } {
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

export function newClientFor(inbound: Inbound, spec: { clientId: string; clientEmail: string }, plan: ClientPlan): NewClient {
  return {
    email: spec.clientEmail,
    ...panelSecretFor(inbound, spec.clientId),
    ...planPatch(plan),
    ...clientTransport(inbound),
    comment: "managed by the fleet control plane",
  };
}

/** Whether the panel's copy of our client still carries the secret we issued and the user's plan. */
export function isClientIntact(inbound: Inbound, clientId: string, client: InboundClient, plan: ClientPlan): boolean {
  const secret = panelSecretFor(inbound, clientId);
  return hasPlan(client, plan) && (secret.id === undefined || client.id === secret.id) && (secret.password === undefined || client.password === secret.password);
}
