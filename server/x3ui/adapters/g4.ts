// G4 (v3.1+): clients are first-class rows under panel/api/clients/*, keyed by
// email and attached to inbounds. Reads return a ClientRecord (numeric row id,
// UUID in `uuid`); writes take a Client (UUID in `id`). Updates replace the
// whole client, and before v3.4 an omitted id mints a new UUID, so every
// update sends the complete object read just before.

import { z } from "zod";

import type { ClientTraffic, InboundClient } from "../types";
import { nullIfNotFound, readClientTraffic, requireFound, uniqueByEmail, type AdapterContext, type GenerationAdapter } from "./adapter";
import {
  newClientToRaw,
  parseOrThrow,
  patchToRaw,
  rawClients,
  sameEmail,
  toInboundClient,
  toOnlineEmails,
  toInboundTraffic,
  toServerStatus,
  type RawObject,
} from "./parse";

const API = "panel/api/clients";

const clientPayloadSchema = z.object({
  client: z.looseObject({ email: z.string() }),
  inboundIds: z.array(z.number()).nullish(),
});

// Client fields we carry through a read-modify-write; record-only fields
// (row id, timestamps, joined allowedIPs) are left for the panel to keep.
const CLIENT_FIELDS = [
  "email", "password", "auth", "flow", "security", "limitIp", "totalGB", "expiryTime",
  "enable", "tgId", "subId", "comment", "reset", "group", "secret",
] as const;

export function createG4Adapter(ctx: AdapterContext): GenerationAdapter {
  const { session } = ctx;

  function getRecord(email: string): Promise<{ client: RawObject; inboundIds: number[] } | null> {
    return nullIfNotFound(async () => {
      const envelope = await session.call({ method: "GET", path: `${API}/get/${encodeURIComponent(email)}` });
      const payload = parseOrThrow(clientPayloadSchema, envelope.obj, "client record");
      const record = payload.client;
      const client: RawObject = {};
      if (typeof record.uuid === "string" && record.uuid) client.id = record.uuid;
      for (const field of CLIENT_FIELDS) if (record[field] !== undefined) client[field] = record[field];
      return { client, inboundIds: payload.inboundIds ?? [] };
    });
  }

  // clients/get matches the email exactly (SQL `email = ?`), while emails are
  // unique case-insensitively: on a miss, look the stored spelling up in the inbound.
  async function findRecord(inboundId: number, email: string) {
    let found = await getRecord(email);
    if (!found) {
      const stored = rawClients((await ctx.getInbound(inboundId)).settings)
        .map((c) => c.email)
        .find((e): e is string => typeof e === "string" && e !== email && sameEmail(e, email));
      if (stored) found = await getRecord(stored);
    }
    return found && found.inboundIds.includes(inboundId) ? found : null;
  }

  async function requireRecord(inboundId: number, email: string) {
    return requireFound(await findRecord(inboundId, email), inboundId, email);
  }

  async function update(email: string, client: RawObject) {
    await session.call({ method: "POST", path: `${API}/update/${encodeURIComponent(email)}`, body: client });
  }

  return {
    inboundListPath: "panel/api/inbounds/list/slim",

    async getClient(inboundId, email): Promise<InboundClient | null> {
      const found = await findRecord(inboundId, email);
      return found ? toInboundClient(found.client) : null;
    },

    async addClient(inboundId, client) {
      const raw = newClientToRaw(client);
      await session.call({ method: "POST", path: `${API}/add`, body: { client: raw, inboundIds: [inboundId] } });
      // /clients/add always creates the client enabled.
      if (raw.enable === false) await update(client.email, raw);
    },

    async updateClient(inboundId, email, patch) {
      const { client } = await requireRecord(inboundId, email);
      await update(String(client.email), { ...client, ...patchToRaw(patch) });
    },

    async deleteClient(inboundId, email) {
      const { client, inboundIds } = await requireRecord(inboundId, email);
      const stored = encodeURIComponent(String(client.email));
      // A client shared with other inbounds only leaves this one.
      if (inboundIds.length > 1) {
        await session.call({ method: "POST", path: `${API}/${stored}/detach`, body: { inboundIds: [inboundId] } });
      } else {
        await session.call({ method: "POST", path: `${API}/del/${stored}` });
      }
    },

    getClientTraffic: (email) => readClientTraffic(session, `${API}/traffic/${encodeURIComponent(email)}`),

    async listClientTraffic(inboundIds) {
      const rows: ClientTraffic[] = [];
      for (const inboundId of inboundIds) {
        const envelope = await nullIfNotFound(() => session.call({ method: "GET", path: `panel/api/inbounds/get/${inboundId}` }));
        if (!envelope || envelope.obj === null) continue;
        rows.push(...toInboundTraffic(envelope.obj).rows.map((row) => ({ ...row, inboundId })));
      }
      return uniqueByEmail(rows);
    },

    async getServerStatus() {
      const envelope = await session.call({ method: "GET", path: "panel/api/server/status" });
      return toServerStatus(envelope.obj);
    },

    async getOnlineClients() {
      const envelope = await session.call({ method: "POST", path: `${API}/onlines`, isReadOnly: true });
      return toOnlineEmails(envelope.obj);
    },
  };
}
