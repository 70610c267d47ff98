import { badRequest, parseInput } from "@/server/errors";
import type { AuditActor } from "../actor";
import { crossFieldProblems, createNodeInputSchema, newNodeConfig, type CreateNodeInput } from "./node-input";
import { toNodeView, type NodeView } from "./node-view";
import { checkNodeRules, insertNode, panelAddressProblems, type NodeServiceDeps } from "./save-node";
import { connectionFailedError, isConnectionVerified, panelTargetOf, probePanel } from "./test-connection";

/**
 * Adds a node. Its connection is tested first (sign-in, version, the inbound exists, is on and can
 * take keys): a node that fails is refused (CONNECTION_FAILED) — the way past is `saveDisabled`,
 * which saves it switched off (no users, no checks) until an admin enables it. A node that passes
 * still takes users only after its first successful health check (it starts `unknown`, which the
 * balancer skips).
 */
export async function createNode(deps: NodeServiceDeps, actor: AuditActor, input: CreateNodeInput): Promise<NodeView> {
  const parsed = parseInput(createNodeInputSchema, input);
  const { config, secret } = newNodeConfig(parsed);
  const problems = { ...crossFieldProblems(config, secret), ...(await panelAddressProblems(config.panelUrl, deps.addressPolicy)) };
  if (Object.keys(problems).length > 0) throw badRequest(problems);
  // The rules that need the database first: a duplicate is refused as such, whatever its panel says.
  await deps.db.transaction((tx) => checkNodeRules(tx, config, null));
  if (!parsed.saveDisabled) {
    const target = panelTargetOf(config, secret);
    const connection = await probePanel(deps, target);
    if (!isConnectionVerified(connection)) throw connectionFailedError(connection, target);
  }
  const node = await deps.db.transaction((tx) => insertNode(tx, deps.keyRing, actor, config, secret, { disabled: parsed.saveDisabled }));
  return toNodeView(node, deps.keyRing);
}
