/**
 * "Test connection" in the node form, and the check every save of a node's connection settings
 * runs: signs in, detects the panel's API generation and version, lists its inbounds so the admin
 * can pick the one clients are added to, and says whether the chosen inbound can take keys (it
 * exists, is switched on, uses a protocol we issue keys on). Works for a URL and credentials not
 * saved yet, and for a saved node with some fields being edited (blank credentials fall back to the
 * stored ones only while the address — scheme, host, port, base path — is the stored one: stored
 * credentials never go anywhere else). Every test an admin runs is audited. A panel that cannot be reached is an answer (`ok: false` with a sentence for people
 * naming the address, and the technical detail), not an error; invalid input and a refused address
 * are BAD_REQUEST.
 */
import { z } from "zod";
import { AppError, badRequest, parseInput, type FieldErrors } from "@/server/errors";
import { logger } from "@/server/logger";
import type { MessageRef } from "@/server/message-ref";
import { ref } from "@/server/messages";
import { isPanelError, type InboundSummary, type PanelErrorKind, type PanelGeneration } from "@/server/x3ui/types";
import { localeNumber } from "../input-number";
import { describePanelError } from "./describe-panel-error";
import { inboundProblem } from "./inbound-problem";
import { findNodeOrThrow } from "./list-nodes";
import { panelUrlSchema, type NodeConfig } from "./node-input";
import { addressCheckFor, readPanelSecret, type PanelSecret } from "./panel-for-node";
import type { AuditActor } from "../actor";
import { recordAudit } from "../audit/record-audit";
import { panelAddressProblems, reentryProblem, settledSecret, type NodeServiceDeps } from "./save-node";

export const testConnectionInputSchema = z.object({
  /** A saved node whose stored values fill every field left out. */
  nodeId: z.uuid().optional(),
  panelUrl: panelUrlSchema.optional(),
  panelUsername: z.string().trim().max(200).optional(),
  panelPassword: z.string().max(1024).optional(),
  panelApiToken: z.string().max(1024).optional(),
  tlsMode: z.enum(["verify", "skip", "pin"]).optional(),
  tlsPinSha256: z.string().trim().max(200).optional(),
  inboundId: localeNumber(z.number().int().positive()).optional(),
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
      /** Why the given inbound cannot take keys (missing, switched off, another protocol); null when it can or none was given. */
      inboundProblem: MessageRef | null;
    }
  | {
      ok: false;
      kind: PanelErrorKind | "internal";
      /** What went wrong, for people: names the address and what to check. */
      reason: MessageRef;
      /** The technical detail (the socket's or the panel's own words). */
      detail: string;
    };

/** A node may serve only after this: the panel answered and its inbound can take keys. */
export function isConnectionVerified(result: TestConnectionResult): boolean {
  return result.ok && result.inboundProblem === null;
}

export type TestConnectionDeps = NodeServiceDeps;

/** Where and how to reach a panel, as the node form holds it. */
export type PanelTarget = {
  panelUrl: string;
  username?: string;
  password?: string;
  apiToken?: string;
  tlsMode: "verify" | "skip" | "pin";
  tlsPinSha256?: string;
  inboundId?: number;
};

/** One connection test against a target already validated (address allowed, credentials present). */
export async function probePanel(deps: Pick<TestConnectionDeps, "createClient" | "timeoutMs" | "addressPolicy">, target: PanelTarget): Promise<TestConnectionResult> {
  const started = performance.now();
  try {
    const panel = deps.createClient({
      baseUrl: target.panelUrl,
      username: target.username,
      password: target.password,
      apiToken: target.apiToken,
      tls: { mode: target.tlsMode, spkiSha256: target.tlsPinSha256 },
      timeoutMs: deps.timeoutMs,
      allowAddress: addressCheckFor(deps.addressPolicy),
    });
    const detection = await panel.detect();
    const latencyMs = Math.round(performance.now() - started);
    const inbounds = await panel.listInbounds();
    const chosen = target.inboundId === undefined ? undefined : (inbounds.find((i) => i.id === target.inboundId) ?? null);
    return {
      ok: true,
      generation: detection.generation,
      version: detection.version,
      latencyMs,
      inbounds,
      hasInbound: chosen === undefined ? null : chosen !== null,
      inboundProblem: chosen === undefined || target.inboundId === undefined ? null : inboundProblem(chosen, target.inboundId),
    };
  } catch (error) {
    if (!isPanelError(error)) logger.error("connection test failed unexpectedly", { error });
    return {
      ok: false,
      kind: isPanelError(error) ? error.kind : "internal",
      reason: describePanelError(error, { panelUrl: target.panelUrl, timeoutMs: deps.timeoutMs }),
      detail: isPanelError(error) ? error.message : "internal error",
    };
  }
}

/** The connection a node's settled configuration and credentials describe. */
export function panelTargetOf(config: NodeConfig, secret: PanelSecret): PanelTarget {
  return {
    panelUrl: config.panelUrl,
    username: config.panelUsername ?? undefined,
    password: secret.password,
    apiToken: secret.apiToken,
    tlsMode: config.tlsMode,
    tlsPinSha256: config.tlsPinSha256 ?? undefined,
    inboundId: config.inboundId,
  };
}

/**
 * The refusal of a save whose connection test failed: CONNECTION_FAILED with the reason, beside
 * the field to fix, and the whole test result in `details.connection` for the form's "save disabled" prompt.
 */
export function connectionFailedError(result: TestConnectionResult, target: PanelTarget): AppError {
  const reason = result.ok ? (result.inboundProblem ?? ref("panel.internal")) : result.reason;
  const field = result.ok ? "inboundId" : result.kind === "auth" ? (target.apiToken ? "panelApiToken" : "panelPassword") : "panelUrl";
  const fields: FieldErrors = { [field]: reason };
  return new AppError("CONNECTION_FAILED", ref("error.node.connectionFailed", { reason }), { fields, details: { connection: result } });
}

const blank = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);

export async function testConnection(
  deps: TestConnectionDeps,
  actor: AuditActor,
  input: z.input<typeof testConnectionInputSchema>,
): Promise<TestConnectionResult> {
  const given = parseInput(testConnectionInputSchema, input);
  const stored = given.nodeId ? await findNodeOrThrow(deps.db, given.nodeId) : null;
  const panelUrl = given.panelUrl ?? stored?.panelUrl;
  if (!panelUrl) throw badRequest({ panelUrl: ref("validation.required") });
  const typed = { password: given.panelPassword, apiToken: given.panelApiToken };
  const secret = stored ? settledSecret(deps.keyRing, stored, panelUrl, typed) : typed;
  const username = blank(given.panelUsername) ?? stored?.panelUsername ?? undefined;
  const password = blank(secret.password);
  const apiToken = blank(secret.apiToken);
  if (!apiToken && !(username && password)) {
    const reentry = stored ? reentryProblem(deps.keyRing, stored, panelUrl, typed) : {};
    throw badRequest(Object.keys(reentry).length > 0 ? reentry : { panelPassword: ref("node.field.credentials") });
  }
  const addressProblems = await panelAddressProblems(panelUrl, deps.addressPolicy);
  if (Object.keys(addressProblems).length > 0) throw badRequest(addressProblems);
  const storedSecret = stored ? readPanelSecret(deps.keyRing, stored) : {};
  const usedStoredCredentials = (password !== undefined && password === storedSecret.password) || (apiToken !== undefined && apiToken === storedSecret.apiToken);
  const result = await probePanel(deps, {
    panelUrl,
    username,
    password,
    apiToken,
    tlsMode: given.tlsMode ?? stored?.tlsMode ?? "verify",
    tlsPinSha256: blank(given.tlsPinSha256) ?? stored?.tlsPinSha256 ?? undefined,
    inboundId: given.inboundId ?? stored?.inboundId,
  });
  await recordAudit(deps.db, actor, {
    action: "node.test_connection",
    targetType: "node",
    targetId: stored?.id ?? null,
    after: { panelUrl, usedStoredCredentials, ok: result.ok, ...(result.ok ? { version: result.version } : { kind: result.kind }) },
  });
  return result;
}
