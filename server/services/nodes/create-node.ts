import { badRequest, parseInput } from "@/server/errors";
import type { AuditActor } from "../actor";
import { crossFieldProblems, createNodeInputSchema, newNodeConfig, type CreateNodeInput } from "./node-input";
import { toNodeView, type NodeView } from "./node-view";
import { insertNode, panelAddressProblems, type NodeServiceDeps } from "./save-node";

export async function createNode(deps: NodeServiceDeps, actor: AuditActor, input: CreateNodeInput): Promise<NodeView> {
  const { config, secret } = newNodeConfig(parseInput(createNodeInputSchema, input));
  const problems = { ...crossFieldProblems(config, secret), ...(await panelAddressProblems(config.panelUrl, deps.addressPolicy)) };
  if (Object.keys(problems).length > 0) throw badRequest(problems);
  const node = await deps.db.transaction((tx) => insertNode(tx, deps.keyRing, actor, config, secret));
  return toNodeView(node, deps.keyRing);
}
