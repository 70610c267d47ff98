/**
 * The writes behind create, update and import: validation that needs the database, the SSRF
 * check, encryption of the write-only credentials, and the audit row in the same transaction.
 */
import { randomUUID } from "node:crypto";
import { and, eq, ne, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { nodes, type Node } from "@/server/db/schema";
import { encryptSecret, type KeyRing } from "@/server/crypto/secret-box";
import { AppError, badRequest, type FieldErrors } from "@/server/errors";
import type { AuditActor } from "../actor";
import { recordAudit, type Transaction } from "../audit/record-audit";
import type { NodeConfig } from "./node-input";
import { findPanelAddressProblem, type PanelAddressPolicy } from "./panel-address-guard";
import { readPanelSecret, secretAad, type PanelSecret } from "./panel-for-node";

export type NodeServiceDeps = { db: Database; keyRing: KeyRing; addressPolicy: PanelAddressPolicy };

type Tx = Database | Transaction;

export function nodeConfigOf(node: Node): NodeConfig {
  return {
    name: node.name,
    location: node.location,
    panelUrl: node.panelUrl,
    panelUsername: node.panelUsername,
    inboundId: node.inboundId,
    publicHost: node.publicHost,
    publicPort: node.publicPort,
    tlsMode: node.tlsMode,
    tlsPinSha256: node.tlsPinSha256,
    maxUsers: node.maxUsers,
    priority: node.priority,
    weight: node.weight,
  };
}

export async function panelAddressProblems(url: string, policy: PanelAddressPolicy): Promise<FieldErrors> {
  const problem = await findPanelAddressProblem(url, policy);
  return problem ? { panelUrl: problem } : {};
}

async function databaseProblems(tx: Tx, config: NodeConfig, current: Node | null): Promise<FieldErrors> {
  const problems: FieldErrors = {};
  const sameName = await tx
    .select({ id: nodes.id })
    .from(nodes)
    .where(and(eq(sql`lower(${nodes.name})`, config.name.toLowerCase()), current ? ne(nodes.id, current.id) : undefined))
    .limit(1);
  if (sameName.length > 0) problems.name = "is already used by another node (names are compared ignoring case)";
  if (current && config.maxUsers < current.reservedCount) {
    problems.maxUsers = `must be at least ${current.reservedCount}, the users already on this node (drain some first)`;
  }
  return problems;
}

function pgError(e: unknown): { code?: string; constraint?: string } {
  for (let cause: unknown = e; cause && typeof cause === "object"; cause = (cause as { cause?: unknown }).cause) {
    const { code, constraint_name, constraint } = cause as { code?: unknown; constraint_name?: unknown; constraint?: unknown };
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
      return { code, constraint: String(constraint_name ?? constraint ?? "") };
    }
  }
  return {};
}

/** A concurrent writer can still win the race after our checks: its constraint names the field. */
function constraintToFieldError(e: unknown): AppError | null {
  const { code, constraint } = pgError(e);
  if (code === "23505" && constraint === "nodes_name_lower_uq") {
    return badRequest({ name: "is already used by another node (names are compared ignoring case)" });
  }
  if (code === "23514" && constraint === "nodes_reserved_within_capacity") {
    return badRequest({ maxUsers: "must not be below the users already on this node" });
  }
  return null;
}

function sealSecret(keyRing: KeyRing, nodeId: string, secret: PanelSecret): string | null {
  const compact: PanelSecret = {};
  if (secret.password) compact.password = secret.password;
  if (secret.apiToken) compact.apiToken = secret.apiToken;
  if (!compact.password && !compact.apiToken) return null;
  return encryptSecret(keyRing, JSON.stringify(compact), secretAad(nodeId));
}

/** Inserts a node and its audit row; throws BAD_REQUEST naming the field on a database rule. */
export async function insertNode(tx: Tx, keyRing: KeyRing, actor: AuditActor, config: NodeConfig, secret: PanelSecret): Promise<Node> {
  const problems = await databaseProblems(tx, config, null);
  if (Object.keys(problems).length > 0) throw badRequest(problems);
  const id = randomUUID();
  try {
    const [node] = await tx
      .insert(nodes)
      .values({ id, ...config, panelSecretEnc: sealSecret(keyRing, id, secret) })
      .returning();
    await recordAudit(tx, actor, { action: "node.create", targetType: "node", targetId: id, after: auditView(config, secret) });
    return node!;
  } catch (e) {
    throw constraintToFieldError(e) ?? e;
  }
}

/**
 * Writes the settled config over the stored node. `secretChanges` holds only the credentials the
 * admin typed; the others keep their stored value. Returns the fields that changed.
 */
export async function writeNodeUpdate(
  tx: Tx,
  keyRing: KeyRing,
  actor: AuditActor,
  current: Node,
  config: NodeConfig,
  secretChanges: PanelSecret,
): Promise<{ node: Node; changed: string[] }> {
  const problems = await databaseProblems(tx, config, current);
  if (Object.keys(problems).length > 0) throw badRequest(problems);
  const before = nodeConfigOf(current);
  const changed = (Object.keys(config) as (keyof NodeConfig)[]).filter((k) => config[k] !== before[k]);
  const stored = readPanelSecret(keyRing, current);
  const credentialChanges = (["password", "apiToken"] as const).filter(
    (k) => secretChanges[k] !== undefined && secretChanges[k] !== stored[k],
  );
  if (changed.length === 0 && credentialChanges.length === 0) return { node: current, changed: [] };
  const nextSecret: PanelSecret = { ...stored };
  for (const k of credentialChanges) nextSecret[k] = secretChanges[k];
  try {
    const [node] = await tx
      .update(nodes)
      .set({
        ...config,
        ...(credentialChanges.length > 0 ? { panelSecretEnc: sealSecret(keyRing, current.id, nextSecret) } : {}),
        // A different panel may run another API generation: detect again.
        ...(config.panelUrl !== before.panelUrl ? { apiGeneration: null, panelVersion: null } : {}),
        updatedAt: new Date(),
      })
      .where(eq(nodes.id, current.id))
      .returning();
    await recordAudit(tx, actor, {
      action: "node.update",
      targetType: "node",
      targetId: current.id,
      before: auditView(before, stored),
      after: { ...auditView(config, nextSecret), credentialsChanged: credentialChanges },
    });
    return { node: node!, changed: [...changed, ...credentialChanges.map((k) => (k === "password" ? "panelPassword" : "panelApiToken"))] };
  } catch (e) {
    throw constraintToFieldError(e) ?? e;
  }
}

/** What the audit trail keeps of a node: its config and which credentials exist, never their values. */
function auditView(config: NodeConfig, secret: PanelSecret) {
  return { ...config, hasPassword: Boolean(secret.password), hasApiToken: Boolean(secret.apiToken) };
}
