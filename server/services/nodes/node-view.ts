/**
 * The only shape in which a node leaves the server (invariant 4): the row without its sealed
 * credentials or lease bookkeeping, plus which credentials exist.
 */
import type { Node } from "@/server/db/schema";
import type { KeyRing } from "@/server/crypto/secret-box";
import { logger } from "@/server/logger";
import { readPanelSecret } from "./panel-for-node";

export type NodeView = Omit<Node, "panelSecretEnc" | "checkLeaseUntil" | "checkLeaseOwner" | "mutationLeaseUntil" | "mutationLeaseOwner" | "mutationFence"> & {
  hasPassword: boolean;
  hasApiToken: boolean;
  /** False when the stored credentials cannot be decrypted (a key missing from PANEL_SECRET_KEYS). */
  isSecretReadable: boolean;
};

export function toNodeView(node: Node, keyRing: KeyRing): NodeView {
  const { panelSecretEnc: _sealed, checkLeaseUntil: _a, checkLeaseOwner: _b, mutationLeaseUntil: _c, mutationLeaseOwner: _d, mutationFence: _e, ...rest } = node;
  let secret: { password?: string; apiToken?: string } = {};
  let isSecretReadable = true;
  try {
    secret = readPanelSecret(keyRing, node);
  } catch (error) {
    isSecretReadable = false;
    logger.warn("node credentials cannot be decrypted", { nodeId: node.id, error });
  }
  return { ...rest, hasPassword: Boolean(secret.password), hasApiToken: Boolean(secret.apiToken), isSecretReadable };
}
