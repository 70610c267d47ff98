import { badRequest, parseInput } from "@/server/errors";
import type { Node } from "@/server/db/schema";
import type { AuditActor } from "../actor";
import { crossFieldProblems, updateNodeInputSchema, type NodeConfig, type UpdateNodeInput } from "./node-input";
import { findNodeOrThrow } from "./list-nodes";
import { toNodeView, type NodeView } from "./node-view";
import { readPanelSecret, type PanelSecret } from "./panel-for-node";
import { checkNodeRules, nodeConfigOf, panelAddressProblems, reentryProblem, settledSecret, writeNodeUpdate, type NodeServiceDeps } from "./save-node";
import { connectionFailedError, isConnectionVerified, panelTargetOf, probePanel } from "./test-connection";

type ParsedUpdate = Omit<ReturnType<typeof updateNodeInputSchema.parse>, "id">;

/** The fields that decide which panel inbound a node talks to and how: a change to any of them is tested. */
const CONNECTION_FIELDS = ["panelUrl", "panelUsername", "inboundId", "tlsMode", "tlsPinSha256"] as const satisfies readonly (keyof NodeConfig)[];

/** Absent fields keep their stored value; a blank credential keeps the stored one (write-only) while the address stays. */
export function mergeNodeConfig(current: Node, update: ParsedUpdate): NodeConfig {
  const stored = nodeConfigOf(current);
  const merged = { ...stored };
  for (const key of Object.keys(stored) as (keyof NodeConfig)[]) {
    const value = update[key as keyof ParsedUpdate];
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/** Whether saving `config` with these credential changes changes how the node reaches its panel inbound. */
export function changesConnection(current: Node, config: NodeConfig, secretChanges: PanelSecret, stored: PanelSecret): boolean {
  const before = nodeConfigOf(current);
  return (
    CONNECTION_FIELDS.some((field) => config[field] !== before[field]) ||
    (["password", "apiToken"] as const).some((k) => secretChanges[k] !== undefined && secretChanges[k] !== stored[k])
  );
}

/**
 * Edits a node. A change to its connection (URL, credentials, TLS, inbound) of a node that serves
 * (not disabled) is tested first, as when adding one: a failed test refuses the save
 * (CONNECTION_FAILED) unless the admin saves it disabled (`saveDisabled`), which switches it off.
 */
export async function updateNode(deps: NodeServiceDeps, actor: AuditActor, input: UpdateNodeInput): Promise<NodeView> {
  const { id, saveDisabled, ...update } = parseInput(updateNodeInputSchema, input);
  const secretChanges = { password: update.panelPassword, apiToken: update.panelApiToken };
  const current = await findNodeOrThrow(deps.db, id);
  const config = mergeNodeConfig(current, update);
  const stored = readPanelSecret(deps.keyRing, current);
  const secret = settledSecret(deps.keyRing, current, config.panelUrl, secretChanges);
  const problems = {
    ...crossFieldProblems(config, secret),
    ...reentryProblem(deps.keyRing, current, config.panelUrl, secretChanges),
    ...(config.panelUrl !== current.panelUrl ? await panelAddressProblems(config.panelUrl, deps.addressPolicy) : {}),
  };
  if (Object.keys(problems).length > 0) throw badRequest(problems);
  await deps.db.transaction((tx) => checkNodeRules(tx, config, current));
  if (!saveDisabled && current.adminState !== "disabled" && changesConnection(current, config, secretChanges, stored)) {
    const target = panelTargetOf(config, secret);
    const connection = await probePanel(deps, target);
    if (!isConnectionVerified(connection)) throw connectionFailedError(connection, target);
  }
  const { node } = await deps.db.transaction(async (tx) => {
    const locked = await findNodeOrThrow(tx, id, { forUpdate: true });
    return writeNodeUpdate(tx, deps.keyRing, actor, locked, mergeNodeConfig(locked, update), secretChanges, { disable: saveDisabled });
  });
  return toNodeView(node, deps.keyRing);
}
