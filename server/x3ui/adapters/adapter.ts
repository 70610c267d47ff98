// What differs between API generations. Inbound listing and reading are the
// same everywhere (panel/api/inbounds/list and /get/:id) and live in the client.

import type { PanelSession } from "../session";
import { PanelError, isPanelError, type ClientPatch, type ClientTraffic, type Inbound, type InboundClient, type NewClient, type ServerStatus } from "../types";
import { toClientTraffic } from "./parse";

export interface AdapterContext {
  session: PanelSession;
  getInbound(inboundId: number): Promise<Inbound>;
}

export interface GenerationAdapter {
  /** Route for the inbound list: the slim projection where the panel has one. */
  readonly inboundListPath: string;
  getClient(inboundId: number, email: string): Promise<InboundClient | null>;
  addClient(inboundId: number, client: NewClient): Promise<void>;
  updateClient(inboundId: number, email: string, patch: ClientPatch): Promise<void>;
  deleteClient(inboundId: number, email: string): Promise<void>;
  getClientTraffic(email: string): Promise<ClientTraffic | null>;
  listClientTraffic(inboundIds: number[]): Promise<ClientTraffic[]>;
  getServerStatus(): Promise<ServerStatus>;
  getOnlineClients(): Promise<string[]>;
}

/** A read whose "no such client" answer means null, in every generation. */
export async function nullIfNotFound<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (isPanelError(error, "not_found")) return null;
    throw error;
  }
}

/** A client that must be on the inbound before it can be changed. */
export function requireFound<T>(found: T | null, inboundId: number, email: string): T {
  if (!found) throw new PanelError("not_found", `client ${email} is not on inbound ${inboundId}`);
  return found;
}

/** One row per email (v3 lists a client attached to two inbounds under both), in the order first seen. */
export function uniqueByEmail(rows: ClientTraffic[]): ClientTraffic[] {
  const seen = new Map<string, ClientTraffic>();
  for (const row of rows) if (!seen.has(row.email)) seen.set(row.email, row);
  return [...seen.values()];
}

/** A client's traffic counters from the generation's route, or null for an email the panel does not know. */
export function readClientTraffic(session: PanelSession, path: string): Promise<ClientTraffic | null> {
  return nullIfNotFound(async () => toClientTraffic((await session.call({ method: "GET", path })).obj));
}
