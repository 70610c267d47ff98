/**
 * Adopts a node's existing clients: every client the preview maps to a Telegram id without a
 * conflict becomes a user (or joins the user already there) with an active assignment bound to the
 * client's own email and secret — nothing is written to the panel, so keys, the panel's own
 * subscription links and the client's traffic carry on untouched. From then on the client is ours
 * by the row that names it (invariant 11) and is managed like any other: refresh, revoke, moves and
 * the reconciler.
 *
 * All or nothing, in one transaction with its audit row: capacity is reserved with one conditional
 * UPDATE (refused past `max_users` unless the same step raises it), and a plan that changed since it
 * was shown (`fingerprint`) or a conflict that appeared meanwhile (another request gave the user a
 * key, another run adopted the client; the unique indexes back the checks) rolls everything back.
 * Idempotent: an adopted client is named by a row of its node, so a second run finds nothing to adopt.
 *
 * A new user's plan is the client's: its expiry (a "starts at first use" duration counts from now),
 * quota, device limit and switch. The client's counters are recorded as the ledger's starting point,
 * and a user with a quota starts with them as usage, so the quota the plan puts on the client is the
 * one it has. An existing user (without a key) keeps their plan.
 */
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { rowsOf } from "@/server/db/migrate";
import { nodes, type Node, type PlacementReason, type vpnUsers } from "@/server/db/schema";
import { AppError, parseInput } from "@/server/errors";
import { ref } from "@/server/messages";
import type { AuditActor } from "@/server/services/actor";
import { recordAudit, type Transaction } from "@/server/services/audit/record-audit";
import { systemClock } from "@/server/services/clock";
import { shareLinkFor } from "@/server/services/keys/node-client";
import { isUniqueViolation, newSubscriptionToken } from "@/server/services/keys/placement";
import type { ClientTraffic, InboundClient } from "@/server/x3ui/types";
import { adoptionInputSchema, scanAdoption, type AdoptionDeps, type AdoptionItem, type AdoptionPlan } from "./preview-adoption";

export const applyAdoptionInputSchema = adoptionInputSchema.extend({
  /** The preview's fingerprint: refuse if what would be adopted changed since it was shown. */
  fingerprint: z.string().min(1).max(64).optional(),
  /** Raise the node's max users in the same step, when the adopted users would not fit. */
  maxUsers: z.number().int().positive().max(1_000_000).optional(),
});

export type AdoptionReport = {
  plan: AdoptionPlan;
  /** Clients adopted by this run (the plan's `adopt` items); 0 when there was nothing to adopt. */
  adopted: number;
  maxUsers: { before: number; after: number };
};

function changedSincePreview(cause?: unknown): AppError {
  return new AppError("CONFLICT", ref("error.adoption.changed"), { cause });
}

type NewUserPlan = Pick<typeof vpnUsers.$inferInsert, "status" | "expiresAt" | "trafficLimitBytes" | "deviceLimit" | "uploadBytes" | "downloadBytes">;

/** The client's own limits as a user's plan, so the plan the reconciler enforces is what the client already has. */
function planOf(client: InboundClient, traffic: Pick<ClientTraffic, "up" | "down">, now: Date): NewUserPlan {
  const expiresAt = client.expiryTime > 0 ? new Date(client.expiryTime) : client.expiryTime < 0 ? new Date(now.getTime() - client.expiryTime) : null;
  const hasQuota = client.totalBytes > 0;
  const isDepleted = hasQuota && traffic.up + traffic.down >= client.totalBytes;
  const hasExpired = expiresAt !== null && expiresAt.getTime() <= now.getTime();
  return {
    // Switched off by the operator (not by the panel for a spent quota or time): adopted switched off.
    status: client.enable || isDepleted || hasExpired ? "active" : "disabled",
    expiresAt,
    trafficLimitBytes: hasQuota ? client.totalBytes : null,
    deviceLimit: client.limitIp > 0 ? client.limitIp : null,
    uploadBytes: hasQuota ? traffic.up : 0,
    downloadBytes: hasQuota ? traffic.down : 0,
  };
}

export async function applyAdoption(deps: AdoptionDeps, actor: AuditActor, input: z.input<typeof applyAdoptionInputSchema>): Promise<AdoptionReport> {
  const { nodeId, rule, fingerprint, maxUsers } = parseInput(applyAdoptionInputSchema, input);
  const scan = await scanAdoption(deps, { nodeId, rule });
  const { plan, node, inbound } = scan;
  if (fingerprint !== undefined && fingerprint !== plan.fingerprint) throw changedSincePreview();
  const toAdopt = plan.items.filter((i): i is AdoptionItem & { telegramId: number } => i.outcome === "adopt" && i.telegramId !== null);
  if (toAdopt.length === 0) return { plan, adopted: 0, maxUsers: { before: node.maxUsers, after: node.maxUsers } };

  const now = (deps.clock ?? systemClock).now();
  // Counters for the ledger's starting point: one read for the whole inbound. Without them the
  // ledger would count each client's past traffic as the user's new usage.
  const counters = new Map((await deps.panelFor(node).listClientTraffic([node.inboundId]).catch(() => [])).map((t) => [t.email.toLowerCase(), t]));
  const reason: PlacementReason = { strategy: "adoption", candidates: [], chosenNodeId: node.id, note: `adopted by rule ${plan.rule}` };
  const entries = toAdopt.map((item) => {
    const client = scan.clients.get(item.email.toLowerCase())!;
    const traffic = counters.get(item.email.toLowerCase()) ?? { up: 0, down: 0, email: client.email };
    const secret = inbound.protocol === "vless" || inbound.protocol === "vmess" ? client.id : client.password;
    const key = { clientId: secret, clientOrigin: "adopted" as const, clientEmail: client.email };
    return { item, client, traffic, key, assignmentId: randomUUID(), shareLink: shareLinkFor(node, inbound, key) };
  });

  try {
    const after = await deps.db.transaction(async (tx) => {
      const [locked] = await tx.select().from(nodes).where(eq(nodes.id, node.id)).for("update");
      if (!locked) throw new AppError("NOT_FOUND", ref("error.node.notFound"));
      if (locked.inboundId !== node.inboundId) throw changedSincePreview();
      const needed = locked.reservedCount + entries.length;
      if (maxUsers !== undefined && maxUsers < needed) {
        throw new AppError("BAD_REQUEST", ref("error.badRequest"), { fields: { maxUsers: ref("adoption.field.maxUsers", { count: needed }) } });
      }
      const limit = maxUsers !== undefined && maxUsers > locked.maxUsers ? maxUsers : locked.maxUsers;
      if (needed > limit) {
        throw new AppError("BAD_REQUEST", ref("error.adoption.capacity", { count: entries.length, free: Math.max(0, locked.maxUsers - locked.reservedCount) }), {
          fields: { maxUsers: ref("adoption.field.maxUsers", { count: needed }) },
          details: { needed, maxUsers: locked.maxUsers, reservedCount: locked.reservedCount },
        });
      }
      await assertStillFree(tx, node.id, entries.map((e) => ({ email: e.client.email, telegramId: e.item.telegramId })));
      await insertAdopted(tx, node, entries, reason, now);
      // Invariant 1: the reservation and the rows commit together, within the (possibly raised) limit.
      const [updated] = await tx
        .update(nodes)
        .set({ maxUsers: limit, reservedCount: sql`${nodes.reservedCount} + ${entries.length}`, updatedAt: sql`now()` })
        .where(and(eq(nodes.id, node.id), sql`${nodes.reservedCount} + ${entries.length} <= ${limit}`))
        .returning({ maxUsers: nodes.maxUsers });
      if (!updated) throw changedSincePreview();
      await recordAudit(tx, actor, {
        action: "node.adopt",
        targetType: "node",
        targetId: node.id,
        before: { maxUsers: locked.maxUsers, reservedCount: locked.reservedCount },
        after: {
          rule: plan.rule,
          inboundId: node.inboundId,
          adopted: entries.length,
          skipped: plan.items.length - entries.length,
          counts: plan.counts,
          maxUsers: limit,
          emails: entries.map((e) => e.client.email),
        },
      });
      return updated.maxUsers;
    });
    return { plan, adopted: entries.length, maxUsers: { before: node.maxUsers, after } };
  } catch (error) {
    if (["assignments_node_email_held_uq", "assignments_one_active_per_user"].some((c) => isUniqueViolation(error, c))) throw changedSincePreview(error);
    throw error;
  }
}

/** Between the preview and this transaction another run may have adopted a client, or a request given a user a key. */
async function assertStillFree(tx: Transaction, nodeId: string, wanted: { email: string; telegramId: number }[]): Promise<void> {
  const emails = JSON.stringify(wanted.map((w) => w.email.toLowerCase()));
  const ids = JSON.stringify(wanted.map((w) => w.telegramId));
  const [clash] = rowsOf<{ held: boolean; keyed: boolean }>(
    await tx.execute(sql`
      SELECT
        EXISTS (SELECT 1 FROM assignments a WHERE a.node_id = ${nodeId}::uuid
                AND lower(a.client_email) IN (SELECT jsonb_array_elements_text(${emails}::jsonb))) AS held,
        EXISTS (SELECT 1 FROM assignments a JOIN vpn_users u ON u.id = a.user_id
                WHERE a.state IN ('pending', 'active') AND u.telegram_id IN (SELECT (jsonb_array_elements_text(${ids}::jsonb))::bigint)) AS keyed
    `),
  );
  if (clash?.held || clash?.keyed) throw changedSincePreview();
}

type Entry = { item: { telegramId: number }; client: InboundClient; traffic: Pick<ClientTraffic, "email" | "up" | "down">; key: { clientId: string }; assignmentId: string; shareLink: string };

/**
 * The users (new ones with their client's plan; existing ones as they are), their active
 * assignments and the ledger's starting points: three set-based statements whatever the count,
 * each fed one JSON document (a statement with a parameter per value is slow past a few thousand).
 */
async function insertAdopted(tx: Transaction, node: Pick<Node, "id" | "inboundId">, entries: Entry[], reason: PlacementReason, now: Date): Promise<void> {
  const users = JSON.stringify(
    entries.map((e) => {
      const plan = planOf(e.client, e.traffic, now);
      return {
        telegram_id: e.item.telegramId,
        subscription_token: newSubscriptionToken(),
        status: plan.status,
        expires_at: plan.expiresAt?.toISOString() ?? null,
        traffic_limit_bytes: plan.trafficLimitBytes,
        device_limit: plan.deviceLimit,
        upload_bytes: plan.uploadBytes,
        download_bytes: plan.downloadBytes,
      };
    }),
  );
  await tx.execute(sql`
    INSERT INTO vpn_users (telegram_id, subscription_token, status, expires_at, traffic_limit_bytes, device_limit, upload_bytes, download_bytes)
    SELECT telegram_id, subscription_token, status, expires_at, traffic_limit_bytes, device_limit, upload_bytes, download_bytes
    FROM jsonb_to_recordset(${users}::jsonb) AS x(telegram_id bigint, subscription_token text, status vpn_user_status, expires_at timestamptz,
                                                  traffic_limit_bytes bigint, device_limit int, upload_bytes bigint, download_bytes bigint)
    ON CONFLICT (telegram_id) DO NOTHING
  `);
  const rows = JSON.stringify(
    entries.map((e) => ({ id: e.assignmentId, telegram_id: e.item.telegramId, client_id: e.key.clientId, email: e.client.email, share_link: e.shareLink, counter_email: e.traffic.email, up: e.traffic.up, down: e.traffic.down })),
  );
  const at = now.toISOString();
  await tx.execute(sql`
    INSERT INTO assignments (id, user_id, node_id, inbound_id, client_id, client_email, client_origin, share_link, state, placement_reason, activated_at)
    SELECT x.id, u.id, ${node.id}::uuid, ${node.inboundId}, x.client_id, x.email, 'adopted', x.share_link, 'active', ${JSON.stringify(reason)}::jsonb, ${at}::timestamptz
    FROM jsonb_to_recordset(${rows}::jsonb) AS x(id uuid, telegram_id bigint, client_id text, email text, share_link text)
    JOIN vpn_users u ON u.telegram_id = x.telegram_id
  `);
  await tx.execute(sql`
    INSERT INTO traffic_counters (node_id, inbound_id, email, user_id, assignment_id, up, down, seq, read_at)
    SELECT ${node.id}::uuid, ${node.inboundId}, x.counter_email, u.id, x.id, x.up, x.down, 1, ${at}::timestamptz
    FROM jsonb_to_recordset(${rows}::jsonb) AS x(id uuid, telegram_id bigint, counter_email text, up bigint, down bigint)
    JOIN vpn_users u ON u.telegram_id = x.telegram_id
    ON CONFLICT (node_id, inbound_id, email) DO UPDATE
      SET user_id = excluded.user_id, assignment_id = excluded.assignment_id, up = excluded.up, down = excluded.down,
          seq = traffic_counters.seq + 1, read_at = excluded.read_at
  `);
}
