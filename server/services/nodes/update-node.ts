import { badRequest, parseInput } from "@/server/errors";
import type { Node } from "@/server/db/schema";
import type { AuditActor } from "../actor";
import { crossFieldProblems, updateNodeInputSchema, type NodeConfig, type UpdateNodeInput } from "./node-input";
import { findNodeOrThrow } from "./list-nodes";
import { toNodeView, type NodeView } from "./node-view";
import { readPanelSecret } from "./panel-for-node";
import { nodeConfigOf, panelAddressProblems, writeNodeUpdate, type NodeServiceDeps } from "./save-node";

type ParsedUpdate = Omit<ReturnType<typeof updateNodeInputSchema.parse>, "id">;

/** Absent fields keep their stored value; a blank credential keeps the stored one (write-only). */
export function mergeNodeConfig(current: Node, update: ParsedUpdate): NodeConfig {
  const stored = nodeConfigOf(current);
  const merged = { ...stored };
  for (const key of Object.keys(stored) as (keyof NodeConfig)[]) {
    const value = update[key as keyof ParsedUpdate];
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

export async function updateNode(deps: NodeServiceDeps, actor: AuditActor, input: UpdateNodeInput): Promise<NodeView> {
  const { id, ...update } = parseInput(updateNodeInputSchema, input);
  const secretChanges = { password: update.panelPassword, apiToken: update.panelApiToken };
  const current = await findNodeOrThrow(deps.db, id);
  const config = mergeNodeConfig(current, update);
  const problems = {
    ...crossFieldProblems(config, { ...readPanelSecret(deps.keyRing, current), ...definedOnly(secretChanges) }),
    ...(config.panelUrl !== current.panelUrl ? await panelAddressProblems(config.panelUrl, deps.addressPolicy) : {}),
  };
  if (Object.keys(problems).length > 0) throw badRequest(problems);
  const { node } = await deps.db.transaction(async (tx) => {
    const locked = await findNodeOrThrow(tx, id, { forUpdate: true });
    return writeNodeUpdate(tx, deps.keyRing, actor, locked, mergeNodeConfig(locked, update), secretChanges);
  });
  return toNodeView(node, deps.keyRing);
}

function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
