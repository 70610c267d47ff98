/**
 * One health probe of one node: sign in when needed (the panel client does it), read the server
 * status, count online clients. The whole probe — detection, login, both reads — gets one deadline,
 * so a hanging panel costs its own slot in the pool for at most `timeoutMs` and nothing else.
 * Never throws: every failure is a CheckResult.
 */
import type { Node } from "@/server/db/schema";
import { SecretBoxError } from "@/server/crypto/secret-box";
import { logger } from "@/server/logger";
import { isPanelError, type PanelClient } from "@/server/x3ui/types";
import { DeadlineError, withDeadline } from "../deadline";
import type { PanelClientFactory } from "../nodes/panel-for-node";
import type { CheckOutcome } from "./next-health";

export type CheckResult = {
  outcome: CheckOutcome;
  latencyMs: number | null;
  error: string | null;
  cpuPercent: number | null;
  memUsedBytes: number | null;
  memTotalBytes: number | null;
  xrayState: string | null;
  xrayVersion: string | null;
  onlineClients: number | null;
  panelVersion: string | null;
  apiGeneration: string | null;
};

const EMPTY = {
  latencyMs: null,
  cpuPercent: null,
  memUsedBytes: null,
  memTotalBytes: null,
  xrayState: null,
  xrayVersion: null,
  onlineClients: null,
  panelVersion: null,
  apiGeneration: null,
} as const;

async function probe(panel: PanelClient, node: Node): Promise<CheckResult> {
  const detection = node.apiGeneration ? null : await panel.detect();
  const started = performance.now();
  const status = await panel.getServerStatus();
  const latencyMs = Math.round(performance.now() - started);
  const online = await panel.getOnlineClients();
  const isXrayRunning = status.xray.state === "running";
  return {
    outcome: isXrayRunning ? "ok" : "xray_down",
    latencyMs,
    error: isXrayRunning ? null : `xray is ${status.xray.state}${status.xray.errorMsg ? `: ${status.xray.errorMsg}` : ""}`,
    cpuPercent: status.cpuPercent,
    memUsedBytes: status.memory.current,
    memTotalBytes: status.memory.total,
    xrayState: status.xray.state,
    xrayVersion: status.xray.version || null,
    onlineClients: online.length,
    panelVersion: status.panelVersion ?? detection?.version ?? node.panelVersion,
    apiGeneration: panel.generation ?? node.apiGeneration,
  };
}

export async function checkNode(panelFor: PanelClientFactory, node: Node, timeoutMs: number): Promise<CheckResult> {
  try {
    return await withDeadline(
      Promise.resolve().then(() => probe(panelFor(node), node)),
      timeoutMs,
    );
  } catch (error) {
    if (error instanceof DeadlineError) return { ...EMPTY, outcome: "unreachable", error: `no answer within ${timeoutMs} ms` };
    if (isPanelError(error, "not_ready")) return { ...EMPTY, outcome: "inconclusive", error: "panel starting: no server status yet" };
    if (isPanelError(error, "auth")) return { ...EMPTY, outcome: "auth", error: `credentials refused: ${error.message}` };
    if (error instanceof SecretBoxError) return { ...EMPTY, outcome: "auth", error: `stored credentials unusable: ${error.message}` };
    if (isPanelError(error)) return { ...EMPTY, outcome: "unreachable", error: `${error.kind}: ${error.message}` };
    logger.error("health probe failed unexpectedly", { nodeId: node.id, error });
    return { ...EMPTY, outcome: "unreachable", error: "internal error during the check" };
  }
}
