/**
 * What adopting a node's existing clients would do, without doing it: the clients of the node's
 * inbound that are not ours (no assignment of this node names them and they do not carry the
 * identity we issue for it), each mapped to a Telegram user by the rule, and what stands in the
 * way — no id under the rule, one id on two clients, an id that already holds a key, no secret to
 * build a link from — plus whether the node has room. The fingerprint lets the dashboard apply
 * exactly the plan it showed.
 */
import { createHash } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { assignments, nodes, vpnUsers, type Node } from "@/server/db/schema";
import { z } from "zod";
import { AppError, parseInput } from "@/server/errors";
import { isIssuedShape } from "@/server/services/keys/client-identity";
import { CLIENT_EMAIL_PREFIX, type KeyWorkDeps } from "@/server/services/keys/key-deps";
import { describePanelError } from "@/server/services/nodes/describe-panel-error";
import { findNodeOrThrow } from "@/server/services/nodes/list-nodes";
import type { Inbound, InboundClient } from "@/server/x3ui/types";
import { readNodeInbound } from "@/server/services/keys/node-client";
import { adoptionRuleSchema, compileRule, describeRule, type AdoptionRule } from "./adoption-rule";

export type AdoptionDeps = Pick<KeyWorkDeps, "db" | "panelFor" | "clock" | "emailPrefix" | "panelTimeoutMs">;

export type AdoptionOutcome =
  /** Maps to a Telegram id that holds no key: adopted by an apply. */
  | "adopt"
  /** The rule finds no valid Telegram id for it. */
  | "unmappable"
  /** Its Telegram id is also the id of another client here: which one is the user's is the operator's call. */
  | "duplicate"
  /** Its Telegram id already holds a key (on this node or another, issued or adopted earlier). */
  | "has_key"
  /** No UUID or password for the inbound's protocol: there is no key to take over. */
  | "no_secret";

export type AdoptionItem = {
  email: string;
  telegramId: number | null;
  outcome: AdoptionOutcome;
  /** duplicate: the other clients with the same id. */
  sameIdAs?: string[];
  /** has_key: the node the key is on. */
  keyOn?: string | null;
  /** adopt: the Telegram id is already a user (without a key), whose plan then applies. */
  isExistingUser?: boolean;
  /** The client is switched off on the panel: the user is adopted switched off too. */
  isDisabled?: boolean;
};

export type AdoptionPlan = {
  node: { id: string; name: string; inboundId: number; maxUsers: number; reservedCount: number };
  rule: string;
  clients: { total: number; managed: number; unmanaged: number };
  counts: Record<AdoptionOutcome, number>;
  capacity: { free: number; needed: number; fits: boolean };
  /** Changes when anything that decides the plan changes (the panel's clients, users' keys, the rule). */
  fingerprint: string;
  items: AdoptionItem[];
};

/** What the preview read, kept for the apply: it needs the same clients and inbound. */
export type AdoptionScan = { plan: AdoptionPlan; node: Node; inbound: Inbound; clients: Map<string, InboundClient> };

const OUTCOME_ORDER: Record<AdoptionOutcome, number> = { adopt: 0, duplicate: 1, has_key: 2, no_secret: 3, unmappable: 4 };

function hasSecret(inbound: Inbound, client: InboundClient): boolean {
  return inbound.protocol === "vless" || inbound.protocol === "vmess" ? client.id !== "" : client.password !== "";
}

async function readPanel(deps: AdoptionDeps, node: Node): Promise<{ listed: InboundClient[]; inbound: Inbound }> {
  try {
    const listed = await deps.panelFor(node).listClients(node.inboundId);
    return { listed, inbound: await readNodeInbound(deps.panelFor, node, node.inboundId) };
  } catch (error) {
    const context = { panelUrl: node.panelUrl, timeoutMs: deps.panelTimeoutMs ?? 0, inboundId: node.inboundId };
    throw new AppError("PANEL_ERROR", describePanelError(error, context), { cause: error });
  }
}

export async function scanAdoption(deps: AdoptionDeps, input: { nodeId: string; rule: AdoptionRule }): Promise<AdoptionScan> {
  const mapTelegramId = compileRule(input.rule);
  const node = await findNodeOrThrow(deps.db, input.nodeId);
  const { listed, inbound } = await readPanel(deps, node);
  const prefix = deps.emailPrefix ?? CLIENT_EMAIL_PREFIX;

  // Ours already: named by any row of this node (held or ended), or issued by us (for this node or another).
  const emails = listed.map((c) => c.email.toLowerCase());
  const named = emails.length
    ? await deps.db
        .selectDistinct({ email: sql<string>`lower(${assignments.clientEmail})` })
        .from(assignments)
        .where(and(eq(assignments.nodeId, node.id), inArray(sql`lower(${assignments.clientEmail})`, emails)))
    : [];
  const ours = new Set(named.map((r) => r.email));
  const unmanaged = listed.filter((c) => !ours.has(c.email.toLowerCase()) && !isIssuedShape(c.email, prefix));

  const mapped = unmanaged.map((client) => ({ client, telegramId: mapTelegramId(client) }));
  const ids = [...new Set(mapped.map((m) => m.telegramId).filter((id): id is number => id !== null))];
  const users = ids.length
    ? await deps.db
        .select({ telegramId: vpnUsers.telegramId, keyOn: nodes.name, hasKey: sql<boolean>`${assignments.id} IS NOT NULL` })
        .from(vpnUsers)
        .leftJoin(assignments, and(eq(assignments.userId, vpnUsers.id), inArray(assignments.state, ["pending", "active"])))
        .leftJoin(nodes, eq(nodes.id, assignments.nodeId))
        .where(inArray(vpnUsers.telegramId, ids))
    : [];
  const known = new Map<number, { hasKey: boolean; keyOn: string | null }>();
  for (const u of users) if (!known.get(u.telegramId)?.hasKey) known.set(u.telegramId, { hasKey: u.hasKey, keyOn: u.keyOn });
  const byId = new Map<number, string[]>();
  for (const m of mapped) if (m.telegramId !== null) byId.set(m.telegramId, [...(byId.get(m.telegramId) ?? []), m.client.email]);

  const items: AdoptionItem[] = mapped.map(({ client, telegramId }) => {
    const base = { email: client.email, telegramId, ...(client.enable ? {} : { isDisabled: true }) };
    if (telegramId === null) return { ...base, outcome: "unmappable" };
    const same = byId.get(telegramId)!.filter((e) => e !== client.email);
    if (same.length > 0) return { ...base, outcome: "duplicate", sameIdAs: same };
    const user = known.get(telegramId);
    if (user?.hasKey) return { ...base, outcome: "has_key", keyOn: user.keyOn };
    if (!hasSecret(inbound, client)) return { ...base, outcome: "no_secret" };
    return { ...base, outcome: "adopt", ...(user ? { isExistingUser: true } : {}) };
  });
  items.sort((a, b) => OUTCOME_ORDER[a.outcome] - OUTCOME_ORDER[b.outcome] || a.email.localeCompare(b.email));

  const counts: Record<AdoptionOutcome, number> = { adopt: 0, unmappable: 0, duplicate: 0, has_key: 0, no_secret: 0 };
  for (const item of items) counts[item.outcome]++;
  const free = Math.max(0, node.maxUsers - node.reservedCount);
  const fingerprint = createHash("sha256")
    .update(JSON.stringify([node.id, node.inboundId, items.map((i) => [i.email, i.telegramId, i.outcome, i.isExistingUser ?? false, i.isDisabled ?? false])]))
    .digest("base64url")
    .slice(0, 22);
  return {
    node,
    inbound,
    clients: new Map(unmanaged.map((c) => [c.email.toLowerCase(), c])),
    plan: {
      node: { id: node.id, name: node.name, inboundId: node.inboundId, maxUsers: node.maxUsers, reservedCount: node.reservedCount },
      rule: describeRule(input.rule),
      clients: { total: listed.length, managed: listed.length - unmanaged.length, unmanaged: unmanaged.length },
      counts,
      capacity: { free, needed: counts.adopt, fits: counts.adopt <= free },
      fingerprint,
      items,
    },
  };
}

export const adoptionInputSchema = z.object({ nodeId: z.uuid(), rule: adoptionRuleSchema });

export async function previewAdoption(deps: AdoptionDeps, input: z.input<typeof adoptionInputSchema>): Promise<AdoptionPlan> {
  return (await scanAdoption(deps, parseInput(adoptionInputSchema, input))).plan;
}
