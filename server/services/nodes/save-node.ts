/**
 * The writes behind create, update and import: validation that needs the database (unique name;
 * one node per panel inbound, invariant 11 — held by the unique index on the normalised address,
 * checked first under a lock so the refusal names the other node), the SSRF check, encryption of
 * the write-only credentials, and the audit row in the same transaction.
 */
import { randomUUID } from "node:crypto";
import { and, eq, ne, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { nodes, type Node } from "@/server/db/schema";
import { encryptSecret, type KeyRing } from "@/server/crypto/secret-box";
import { AppError, badRequest, type FieldErrors } from "@/server/errors";
import { ref } from "@/server/messages";
import type { AuditActor } from "../actor";
import { recordAudit, type Transaction } from "../audit/record-audit";
import type { NodeConfig } from "./node-input";
import { findPanelAddressProblem, type PanelAddressPolicy } from "./panel-address-guard";
import { readPanelSecret, secretAad, type CreatePanelClient, type PanelSecret } from "./panel-for-node";

/** `createClient` and `timeoutMs` serve the connection test every save of a node's connection runs. */
export type NodeServiceDeps = { db: Database; keyRing: KeyRing; addressPolicy: PanelAddressPolicy; createClient: CreatePanelClient; timeoutMs: number };

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
    standbyMaxUsers: node.standbyMaxUsers,
    priority: node.priority,
    weight: node.weight,
  };
}

/** Where credentials go: scheme, host, port (default filled in) and base path, ignoring a trailing slash. */
function credentialAddressOf(url: string): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  return `${u.protocol}//${u.hostname.toLowerCase()}:${port}${u.pathname.replace(/\/+$/, "")}`;
}

/** Stored credentials belong to the address they were saved for (invariant 4): the same scheme, host, port and base path. */
export function isSamePanelAddress(a: string, b: string): boolean {
  return credentialAddressOf(a) === credentialAddressOf(b);
}

const typedOnly = (secret: PanelSecret): PanelSecret =>
  Object.fromEntries(Object.entries(secret).filter(([, v]) => v !== undefined && v !== "")) as PanelSecret;

/**
 * The credentials a node will carry after an update to `panelUrl`: the stored ones while it stays at
 * their address, then what was typed. A move to another address keeps nothing stored, so editing a
 * URL can never send a saved password or token to a new host — not in its connection test either.
 */
export function settledSecret(keyRing: KeyRing, current: Node, panelUrl: string, typed: PanelSecret): PanelSecret {
  const kept = isSamePanelAddress(current.panelUrl, panelUrl) ? readPanelSecret(keyRing, current) : {};
  return { ...kept, ...typedOnly(typed) };
}

/** A node that had credentials and moves to another address without new ones: they must be typed again. */
export function reentryProblem(keyRing: KeyRing, current: Node, panelUrl: string, typed: PanelSecret): FieldErrors {
  const stored = readPanelSecret(keyRing, current);
  const isMoved = !isSamePanelAddress(current.panelUrl, panelUrl);
  return isMoved && (stored.password || stored.apiToken) && Object.keys(typedOnly(typed)).length === 0 ? { panelPassword: ref("node.field.reenterCredentials") } : {};
}

export async function panelAddressProblems(url: string, policy: PanelAddressPolicy): Promise<FieldErrors> {
  const problem = await findPanelAddressProblem(url, policy);
  return problem ? { panelUrl: problem } : {};
}

// Lock-id namespace for "this panel inbound is being saved" (two-int form, like the per-user locks).
const PANEL_INBOUND_LOCK_NAMESPACE = 5_302;

/** The node that already is this panel inbound, if any; the caller's transaction then holds its lock until commit. */
async function nodeOnPanelInbound(tx: Tx, config: NodeConfig, current: Node | null): Promise<{ name: string } | undefined> {
  const address = sql`fleet_panel_address(${config.panelUrl})`;
  // Two saves of the same panel inbound at once: the second waits here and then sees the first.
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${PANEL_INBOUND_LOCK_NAMESPACE}::int, hashtext(${address} || '#' || ${config.inboundId}))`);
  const [other] = await tx
    .select({ name: nodes.name })
    .from(nodes)
    .where(and(eq(nodes.panelAddress, address), eq(nodes.inboundId, config.inboundId), current ? ne(nodes.id, current.id) : undefined))
    .orderBy(nodes.isPanelDuplicate, nodes.createdAt)
    .limit(1);
  return other;
}

async function databaseProblems(tx: Tx, config: NodeConfig, current: Node | null): Promise<FieldErrors> {
  const problems: FieldErrors = {};
  const [sameName] = await tx
    .select({ name: nodes.name })
    .from(nodes)
    .where(and(eq(sql`lower(${nodes.name})`, config.name.toLowerCase()), current ? ne(nodes.id, current.id) : undefined))
    .limit(1);
  if (sameName) problems.name = ref("node.field.nameTaken", { node: sameName.name });
  const samePanel = await nodeOnPanelInbound(tx, config, current);
  if (samePanel) {
    problems.panelUrl = ref("node.field.panelTaken", { node: samePanel.name, inbound: config.inboundId });
    problems.inboundId = ref("node.field.inboundTaken", { node: samePanel.name });
  }
  if (current && config.maxUsers < current.reservedCount) {
    problems.maxUsers = ref("node.field.belowUsers", { count: current.reservedCount });
  }
  if (current && config.standbyMaxUsers < current.standbyReservedCount) {
    problems.standbyMaxUsers = ref("node.field.belowStandbys", { count: current.standbyReservedCount });
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

/**
 * A concurrent writer can still win the race after our checks (the name is not locked; a row
 * written around this service is not either): its constraint names the field.
 */
function constraintToFieldError(e: unknown, config: NodeConfig): AppError | null {
  const { code, constraint } = pgError(e);
  if (code === "23505" && constraint === "nodes_name_lower_uq") {
    return badRequest({ name: ref("node.field.nameTaken", { node: config.name }) });
  }
  if (code === "23505" && constraint === "nodes_panel_inbound_uq") {
    return badRequest({ panelUrl: ref("node.field.panelTakenUnnamed", { inbound: config.inboundId }) });
  }
  if (code === "23514" && constraint === "nodes_reserved_within_capacity") {
    return badRequest({ maxUsers: ref("node.field.belowUsersUnknown") });
  }
  if (code === "23514" && constraint === "nodes_standby_within_capacity") {
    return badRequest({ standbyMaxUsers: ref("node.field.belowStandbysUnknown") });
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

/** The database's rules for a node about to be written (BAD_REQUEST naming each field), under the panel inbound's lock. */
export async function checkNodeRules(tx: Tx, config: NodeConfig, current: Node | null): Promise<void> {
  const problems = await databaseProblems(tx, config, current);
  if (Object.keys(problems).length > 0) throw badRequest(problems);
}

/**
 * Inserts a node and its audit row; throws BAD_REQUEST naming the field on a database rule. A node
 * whose connection test failed is saved `disabled` (the caller decides): it takes no users and is
 * not checked until an admin enables it.
 */
export async function insertNode(
  tx: Tx,
  keyRing: KeyRing,
  actor: AuditActor,
  config: NodeConfig,
  secret: PanelSecret,
  options: { disabled?: boolean } = {},
): Promise<Node> {
  await checkNodeRules(tx, config, null);
  const id = randomUUID();
  try {
    const [node] = await tx
      .insert(nodes)
      .values({ id, ...config, panelSecretEnc: sealSecret(keyRing, id, secret), ...(options.disabled ? { adminState: "disabled" as const } : {}) })
      .returning();
    await recordAudit(tx, actor, {
      action: "node.create",
      targetType: "node",
      targetId: id,
      after: { ...auditView(config, secret), ...(options.disabled ? { adminState: "disabled" } : {}) },
    });
    return node!;
  } catch (e) {
    throw constraintToFieldError(e, config) ?? e;
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
  options: { disable?: boolean } = {},
): Promise<{ node: Node; changed: string[] }> {
  await checkNodeRules(tx, config, current);
  const before = nodeConfigOf(current);
  const changed = (Object.keys(config) as (keyof NodeConfig)[]).filter((k) => config[k] !== before[k]);
  const stored = readPanelSecret(keyRing, current);
  const nextSecret = settledSecret(keyRing, current, config.panelUrl, secretChanges);
  const credentialChanges = (["password", "apiToken"] as const).filter((k) => nextSecret[k] !== stored[k]);
  const isDisabling = Boolean(options.disable) && current.adminState !== "disabled";
  if (changed.length === 0 && credentialChanges.length === 0 && !isDisabling) return { node: current, changed: [] };
  try {
    const [node] = await tx
      .update(nodes)
      .set({
        ...config,
        ...(credentialChanges.length > 0 ? { panelSecretEnc: sealSecret(keyRing, current.id, nextSecret) } : {}),
        // A different panel may run another API generation: detect again.
        ...(config.panelUrl !== before.panelUrl ? { apiGeneration: null, panelVersion: null } : {}),
        // The rules above just held: whatever this node repeated before, it is its own panel inbound now.
        isPanelDuplicate: false,
        ...(isDisabling ? { adminState: "disabled" as const } : {}),
        updatedAt: new Date(),
      })
      .where(eq(nodes.id, current.id))
      .returning();
    await recordAudit(tx, actor, {
      action: "node.update",
      targetType: "node",
      targetId: current.id,
      before: auditView(before, stored),
      after: { ...auditView(config, nextSecret), credentialsChanged: credentialChanges, ...(isDisabling ? { adminState: "disabled" } : {}) },
    });
    return {
      node: node!,
      changed: [...changed, ...credentialChanges.map((k) => (k === "password" ? "panelPassword" : "panelApiToken")), ...(isDisabling ? ["adminState"] : [])],
    };
  } catch (e) {
    throw constraintToFieldError(e, config) ?? e;
  }
}

/** What the audit trail keeps of a node: its config and which credentials exist, never their values. */
function auditView(config: NodeConfig, secret: PanelSecret) {
  return { ...config, hasPassword: Boolean(secret.password), hasApiToken: Boolean(secret.apiToken) };
}
