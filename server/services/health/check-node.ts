/**
 * One health probe of one node: sign in when needed (the panel client does it), read the server
 * status, check the node's inbound (exists, switched on, a protocol we issue keys on), count online
 * clients. The whole probe — detection, login, the reads — gets one deadline, so a hanging panel
 * costs its own slot in the pool for at most `timeoutMs` and nothing else. Never throws: every
 * failure is a CheckResult, with the technical detail (`error`, for logs) and a sentence for
 * people (`errorRef`).
 */
import type { Node } from "@/server/db/schema";
import { isSecretBoxError } from "@/server/crypto/secret-box";
import { logger } from "@/server/logger";
import type { MessageRef } from "@/server/message-ref";
import { ref } from "@/server/messages";
import { isPanelError, type PanelClient } from "@/server/x3ui/types";
import { DeadlineError, withDeadline } from "../deadline";
import { describePanelError, panelAddressLabel } from "../nodes/describe-panel-error";
import { inboundProblem } from "../nodes/inbound-problem";
import type { PanelClientFactory } from "../nodes/panel-for-node";
import type { CheckOutcome } from "./next-health";

export type CheckResult = {
  outcome: CheckOutcome;
  latencyMs: number | null;
  error: string | null;
  errorRef: MessageRef | null;
  cpuPercent: number | null;
  memUsedBytes: number | null;
  memTotalBytes: number | null;
  xrayState: string | null;
  xrayVersion: string | null;
  onlineClients: number | null;
  panelVersion: string | null;
  apiGeneration: string | null;
  /** The protocol of the node's inbound, when the check read it. */
  inboundProtocol: string | null;
};

/** The measurements of a check that learned nothing about the panel. */
export const EMPTY_CHECK = {
  latencyMs: null,
  cpuPercent: null,
  memUsedBytes: null,
  memTotalBytes: null,
  xrayState: null,
  xrayVersion: null,
  onlineClients: null,
  panelVersion: null,
  apiGeneration: null,
  inboundProtocol: null,
} as const;

async function readInbound(panel: PanelClient, inboundId: number) {
  try {
    return await panel.getInbound(inboundId);
  } catch (error) {
    if (isPanelError(error, "not_found")) return null;
    throw error;
  }
}

async function readStatus(panel: PanelClient) {
  const started = performance.now();
  const value = await panel.getServerStatus();
  return { value, latencyMs: Math.round(performance.now() - started) };
}

async function probe(panel: PanelClient, node: Node): Promise<CheckResult> {
  const detection = node.apiGeneration ? null : await panel.detect();
  const { value: status, latencyMs } = detection?.status ?? (await readStatus(panel));
  // One after the other, on the connection the check already has: a second connection per check
  // costs the control plane more than the round trip it would save.
  const inbound = await readInbound(panel, node.inboundId);
  const online = await panel.getOnlineClients();
  const isXrayRunning = status.xray.state === "running";
  const misconfigured = inboundProblem(inbound, node.inboundId);
  const xrayState = { code: `xrayState.${status.xray.state}` };
  const xrayRef = isXrayRunning
    ? null
    : status.xray.errorMsg
      ? ref("check.xrayWithDetail", { state: xrayState, detail: status.xray.errorMsg.slice(0, 300) })
      : ref("check.xray", { state: xrayState });
  return {
    outcome: misconfigured ? "misconfigured" : isXrayRunning ? "ok" : "xray_down",
    latencyMs,
    error: misconfigured ? misconfigured.code : isXrayRunning ? null : `xray is ${status.xray.state}${status.xray.errorMsg ? `: ${status.xray.errorMsg}` : ""}`,
    errorRef: misconfigured ?? xrayRef,
    cpuPercent: status.cpuPercent,
    memUsedBytes: status.memory.current,
    memTotalBytes: status.memory.total,
    xrayState: status.xray.state,
    xrayVersion: status.xray.version || null,
    onlineClients: online.length,
    panelVersion: status.panelVersion ?? detection?.version ?? node.panelVersion,
    apiGeneration: panel.generation ?? node.apiGeneration,
    inboundProtocol: inbound?.protocol ?? null,
  };
}

export async function checkNode(panelFor: PanelClientFactory, node: Node, timeoutMs: number): Promise<CheckResult> {
  const failed = (outcome: CheckOutcome, error: string, errorRef: MessageRef): CheckResult => ({ ...EMPTY_CHECK, outcome, error, errorRef });
  try {
    return await withDeadline(
      Promise.resolve().then(() => probe(panelFor(node), node)),
      timeoutMs,
    );
  } catch (error) {
    const context = { panelUrl: node.panelUrl, timeoutMs };
    if (error instanceof DeadlineError) {
      return failed("unreachable", `no answer within ${timeoutMs} ms`, ref("panel.timeout", { address: panelAddressLabel(node.panelUrl).address, ms: timeoutMs }));
    }
    if (isPanelError(error, "not_ready")) return failed("inconclusive", "panel starting: no server status yet", describePanelError(error, context));
    if (isPanelError(error, "auth")) return failed("auth", `credentials refused: ${error.message}`, describePanelError(error, context));
    if (isSecretBoxError(error)) return failed("auth", `stored credentials unusable: ${error.message}`, ref("check.secretUnusable"));
    if (isPanelError(error)) return failed("unreachable", `${error.kind}: ${error.message}`, describePanelError(error, context));
    logger.error("health probe failed unexpectedly", { nodeId: node.id, error });
    return failed("unreachable", "internal error during the check", ref("panel.internal"));
  }
}
