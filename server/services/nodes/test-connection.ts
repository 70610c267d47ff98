/**
 * "Test connection" in the node form: signs in, detects the panel's API generation and version,
 * and lists its inbounds so the admin can pick the one clients are added to. Works for a URL and
 * credentials not saved yet, and for a saved node with some fields being edited (blank
 * credentials fall back to the stored ones). A panel that cannot be reached is an answer
 * (`ok: false`), not an error; invalid input and a refused address are BAD_REQUEST.
 */
import { z } from "zod";
import type { Database } from "@/server/db/client";
import type { KeyRing } from "@/server/crypto/secret-box";
import { badRequest, parseInput } from "@/server/errors";
import { isPanelError, type InboundSummary, type PanelClientConfig, type PanelErrorKind, type PanelGeneration } from "@/server/x3ui/types";
import { findNodeOrThrow } from "./list-nodes";
import { panelUrlSchema } from "./node-input";
import type { PanelAddressPolicy } from "./panel-address-guard";
import { addressCheckFor, readPanelSecret, type CreatePanelClient } from "./panel-for-node";
import { panelAddressProblems } from "./save-node";

export const testConnectionInputSchema = z.object({
  /** A saved node whose stored values fill every field left out. */
  nodeId: z.uuid("must be a node id").optional(),
  panelUrl: panelUrlSchema.optional(),
  panelUsername: z.string().trim().max(200).optional(),
  panelPassword: z.string().max(1024).optional(),
  panelApiToken: z.string().max(1024).optional(),
  tlsMode: z.enum(["verify", "skip", "pin"], { error: "must be verify, skip or pin" }).optional(),
  tlsPinSha256: z.string().trim().max(200).optional(),
  inboundId: z.number().int().positive("must be greater than 0").optional(),
});

export type TestConnectionResult =
  | {
      ok: true;
      generation: PanelGeneration;
      version: string | null;
      latencyMs: number;
      inbounds: InboundSummary[];
      /** Whether the given (or stored) inbound id is among them; null when none was given. */
      hasInbound: boolean | null;
    }
  | { ok: false; kind: PanelErrorKind | "internal"; message: string };

export type TestConnectionDeps = {
  db: Database;
  keyRing: KeyRing;
  addressPolicy: PanelAddressPolicy;
  createClient: CreatePanelClient;
  timeoutMs: number;
};

const blank = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);

export async function testConnection(
  deps: TestConnectionDeps,
  input: z.input<typeof testConnectionInputSchema>,
): Promise<TestConnectionResult> {
  const given = parseInput(testConnectionInputSchema, input);
  const stored = given.nodeId ? await findNodeOrThrow(deps.db, given.nodeId) : null;
  const storedSecret = stored ? readPanelSecret(deps.keyRing, stored) : {};
  const panelUrl = given.panelUrl ?? stored?.panelUrl;
  if (!panelUrl) throw badRequest({ panelUrl: "is required" });
  const username = blank(given.panelUsername) ?? stored?.panelUsername ?? undefined;
  const password = blank(given.panelPassword) ?? storedSecret.password;
  const apiToken = blank(given.panelApiToken) ?? storedSecret.apiToken;
  if (!apiToken && !(username && password)) {
    throw badRequest({ panelPassword: "give the panel's username and password, or an API token" });
  }
  const addressProblems = await panelAddressProblems(panelUrl, deps.addressPolicy);
  if (Object.keys(addressProblems).length > 0) throw badRequest(addressProblems);

  const tlsMode = given.tlsMode ?? stored?.tlsMode ?? "verify";
  const config: PanelClientConfig = {
    baseUrl: panelUrl,
    username,
    password,
    apiToken,
    tls: { mode: tlsMode, spkiSha256: blank(given.tlsPinSha256) ?? stored?.tlsPinSha256 ?? undefined },
    timeoutMs: deps.timeoutMs,
    allowAddress: addressCheckFor(deps.addressPolicy),
  };
  const inboundId = given.inboundId ?? stored?.inboundId;
  const started = performance.now();
  try {
    const panel = deps.createClient(config);
    const detection = await panel.detect();
    const latencyMs = Math.round(performance.now() - started);
    const inbounds = await panel.listInbounds();
    return {
      ok: true,
      generation: detection.generation,
      version: detection.version,
      latencyMs,
      inbounds,
      hasInbound: inboundId === undefined ? null : inbounds.some((i) => i.id === inboundId),
    };
  } catch (error) {
    if (isPanelError(error)) return { ok: false, kind: error.kind, message: error.message };
    throw error;
  }
}
