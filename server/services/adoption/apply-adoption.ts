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
import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { assignments, nodes, trafficCounters, vpnUsers, type PlacementReason } from "@/server/db/schema";
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

const CHUNK = 1_000;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

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
      const userIds = await upsertUsers(tx, entries, now);
      for (const part of chunks(entries)) {
        await tx.insert(assignments).values(
          part.map((e) => ({
            id: e.assignmentId,
            userId: userIds.get(e.item.telegramId)!,
            nodeId: node.id,
            inboundId: node.inboundId,
            clientId: e.key.clientId,
            clientEmail: e.client.email,
            clientOrigin: "adopted" as const,
            shareLink: e.shareLink,
            state: "active" as const,
            placementReason: reason,
            activatedAt: now,
          })),
        );
        await tx
          .insert(trafficCounters)
          .values(
            part.map((e) => ({
              nodeId: node.id,
              inboundId: node.inboundId,
              email: e.traffic.email,
              userId: userIds.get(e.item.telegramId)!,
              assignmentId: e.assignmentId,
              up: e.traffic.up,
              down: e.traffic.down,
              seq: 1,
              readAt: now,
            })),
          )
          .onConflictDoUpdate({
            target: [trafficCounters.nodeId, trafficCounters.inboundId, trafficCounters.email],
            set: { userId: sql`excluded.user_id`, assignmentId: sql`excluded.assignment_id`, up: sql`excluded.up`, down: sql`excluded.down`, seq: sql`${trafficCounters.seq} + 1`, readAt: sql`excluded.read_at` },
          });
      }
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
  for (const part of chunks(wanted)) {
    const [held] = await tx
      .select({ id: assignments.id })
      .from(assignments)
      .where(and(eq(assignments.nodeId, nodeId), inArray(sql`lower(${assignments.clientEmail})`, part.map((w) => w.email.toLowerCase()))))
      .limit(1);
    if (held) throw changedSincePreview();
    const [keyed] = await tx
      .select({ id: assignments.id })
      .from(assignments)
      .innerJoin(vpnUsers, eq(vpnUsers.id, assignments.userId))
      .where(and(inArray(vpnUsers.telegramId, part.map((w) => w.telegramId)), inArray(assignments.state, ["pending", "active"])))
      .limit(1);
    if (keyed) throw changedSincePreview();
  }
}

/** Creates the users that do not exist yet, with their client's plan; returns every user's id by Telegram id. */
async function upsertUsers(
  tx: Transaction,
  entries: { item: { telegramId: number }; client: InboundClient; traffic: Pick<ClientTraffic, "up" | "down"> }[],
  now: Date,
): Promise<Map<number, string>> {
  const ids = new Map<number, string>();
  for (const part of chunks(entries)) {
    await tx
      .insert(vpnUsers)
      .values(part.map((e) => ({ telegramId: e.item.telegramId, subscriptionToken: newSubscriptionToken(), ...planOf(e.client, e.traffic, now) })))
      .onConflictDoNothing({ target: vpnUsers.telegramId });
    const rows = await tx
      .select({ id: vpnUsers.id, telegramId: vpnUsers.telegramId })
      .from(vpnUsers)
      .where(inArray(vpnUsers.telegramId, part.map((e) => e.item.telegramId)));
    for (const row of rows) ids.set(row.telegramId, row.id);
  }
  return ids;
}
