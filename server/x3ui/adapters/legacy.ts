// G2 (v1.4.6–v2.6) and G3 (v2.7–v3.0.2): clients live inside the inbound's
// settings JSON and are changed through panel/api/inbounds/{addClient,
// updateClient/:key, :id/delClient/:key}, where :key is the UUID, the trojan
// password, or (shadowsocks) the email. Only the status route differs.

import { z } from "zod";

import { PanelError, type InboundClient } from "../types";
import { readClientTraffic, requireFound, uniqueByEmail, type AdapterContext, type GenerationAdapter } from "./adapter";
import {
  newClientToRaw,
  patchToRaw,
  rawClients,
  sameEmail,
  toInboundClient,
  toOnlineEmails,
  parseOrThrow,
  toInboundTraffic,
  toServerStatus,
  type RawObject,
} from "./parse";

const API = "panel/api/inbounds";

export function createLegacyAdapter(ctx: AdapterContext, generation: "g2" | "g3"): GenerationAdapter {
  const { session } = ctx;

  async function findRaw(inboundId: number, email: string): Promise<{ protocol: string; raw: RawObject } | null> {
    const inbound = await ctx.getInbound(inboundId);
    const raw = rawClients(inbound.settings).find((c) => typeof c.email === "string" && sameEmail(c.email, email));
    return raw ? { protocol: inbound.protocol, raw } : null;
  }

  async function requireRaw(inboundId: number, email: string) {
    return requireFound(await findRaw(inboundId, email), inboundId, email);
  }

  return {
    inboundListPath: `${API}/list`,

    async getClient(inboundId, email): Promise<InboundClient | null> {
      const found = await findRaw(inboundId, email);
      return found ? toInboundClient(found.raw) : null;
    },

    async addClient(inboundId, client) {
      const raw = newClientToRaw(client);
      await session.call({
        method: "POST",
        path: `${API}/addClient`,
        body: { id: inboundId, settings: JSON.stringify({ clients: [raw] }) },
      });
    },

    async updateClient(inboundId, email, patch) {
      const { protocol, raw } = await requireRaw(inboundId, email);
      // The panel replaces the whole object: start from what it stores.
      const next = { ...raw, ...patchToRaw(patch) };
      await session.call({
        method: "POST",
        path: `${API}/updateClient/${encodeURIComponent(clientKey(protocol, raw))}`,
        body: { id: inboundId, settings: JSON.stringify({ clients: [next] }) },
      });
    },

    async deleteClient(inboundId, email) {
      const { protocol, raw } = await requireRaw(inboundId, email);
      // An unknown key is silently ignored by the panel, hence the lookup above.
      await session.call({
        method: "POST",
        path: `${API}/${inboundId}/delClient/${encodeURIComponent(clientKey(protocol, raw))}`,
      });
    },

    // v2.8.1–v3.0.2 refuse an unknown email with "Inbound Not Found For Email"; older answer null.
    getClientTraffic: (email) => readClientTraffic(session, `${API}/getClientTraffics/${encodeURIComponent(email)}`),

    async listClientTraffic(inboundIds) {
      const envelope = await session.call({ method: "GET", path: `${API}/list` });
      const wanted = new Set(inboundIds);
      const inbounds = (parseOrThrow(z.array(z.unknown()).nullable(), envelope.obj, "inbound list") ?? []).map(toInboundTraffic);
      return uniqueByEmail(inbounds.filter((i) => wanted.has(i.inboundId)).flatMap((i) => i.rows.map((row) => ({ ...row, inboundId: i.inboundId }))));
    },

    async getServerStatus() {
      const envelope =
        generation === "g2"
          ? await session.call({ method: "POST", path: "server/status", isReadOnly: true })
          : await session.call({ method: "GET", path: "panel/api/server/status" });
      return toServerStatus(envelope.obj);
    },

    async getOnlineClients() {
      const envelope = await session.call({ method: "POST", path: `${API}/onlines`, isReadOnly: true });
      return toOnlineEmails(envelope.obj);
    },
  };
}

/** The field v2 identifies a client by in updateClient/delClient URLs. */
function clientKey(protocol: string, raw: RawObject): string {
  const field = protocol === "trojan" ? "password" : protocol === "shadowsocks" ? "email" : "id";
  const value = raw[field];
  if (typeof value !== "string" || value === "") {
    throw new PanelError("protocol", `stored ${protocol} client has no ${field}`);
  }
  return value;
}
