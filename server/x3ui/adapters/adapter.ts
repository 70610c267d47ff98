// What differs between API generations. Inbound listing and reading are the
// same everywhere (panel/api/inbounds/list and /get/:id) and live in the client.

import type { PanelSession } from "../session";
import type { ClientPatch, ClientTraffic, Inbound, InboundClient, NewClient, ServerStatus } from "../types";

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
  getServerStatus(): Promise<ServerStatus>;
  getOnlineClients(): Promise<string[]>;
}
