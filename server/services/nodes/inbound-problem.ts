/**
 * Whether a node's inbound can take keys: it exists, is switched on, and uses a protocol we issue
 * clients on. The connection test refuses to save a node that fails this, and the health check
 * marks a saved node `misconfigured` with the same reason (an operator's mistake, not a failure).
 */
import type { MessageRef } from "@/server/message-ref";
import { ref } from "@/server/messages";
import { CLIENT_PROTOCOLS, type InboundSummary } from "@/server/x3ui/types";

export function inboundProblem(inbound: Pick<InboundSummary, "protocol" | "enable"> | null, inboundId: number): MessageRef | null {
  if (!inbound) return ref("check.inboundMissing", { inbound: inboundId });
  if (!(CLIENT_PROTOCOLS as readonly string[]).includes(inbound.protocol)) return ref("check.inboundProtocol", { inbound: inboundId, protocol: inbound.protocol });
  if (!inbound.enable) return ref("check.inboundDisabled", { inbound: inboundId });
  return null;
}
