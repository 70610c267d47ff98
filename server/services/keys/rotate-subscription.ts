/**
 * A user's subscription URL is a bearer credential: anyone holding it gets the user's links. It is
 * replaced (the old URL answers 404 at once) in the transaction that revokes the key
 * (revoke-key.ts), in the one that begins a refresh the bot asked to rotate (placement.ts), and
 * here, when an admin asks — audited in the same transaction.
 */
import { eq, type SQL } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { vpnUsers } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import type { Actor } from "@/server/services/actor";
import { recordAudit, type Transaction } from "@/server/services/audit/record-audit";
import { subscriptionUrlFor } from "./find-user-key";
import { newSubscriptionSet } from "./placement";

async function replaceToken(tx: Database | Transaction, where: SQL): Promise<string | null> {
  const [user] = await tx
    .update(vpnUsers)
    .set(newSubscriptionSet())
    .where(where)
    .returning({ token: vpnUsers.subscriptionToken });
  return user?.token ?? null;
}

/** Gives the user a new token inside the caller's transaction. */
export async function replaceSubscriptionToken(tx: Database | Transaction, userId: string): Promise<void> {
  await replaceToken(tx, eq(vpnUsers.id, userId));
}

export async function rotateSubscription(
  deps: { db: Database; publicUrl: string },
  input: { telegramId: number; actor?: Actor },
): Promise<{ telegramId: number; subscriptionUrl: string }> {
  return deps.db.transaction(async (tx) => {
    const token = await replaceToken(tx, eq(vpnUsers.telegramId, input.telegramId));
    if (!token) throw new AppError("NOT_FOUND", ref("error.user.notFound"));
    if (input.actor) await recordAudit(tx, input.actor, { action: "subscription.rotate", targetType: "vpn_user", targetId: String(input.telegramId) });
    return { telegramId: input.telegramId, subscriptionUrl: subscriptionUrlFor(deps.publicUrl, token) };
  });
}
