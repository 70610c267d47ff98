/**
 * Replay protection for signed bot calls: each nonce is accepted once. A signed request is valid
 * for ±REPLAY_WINDOW_SECONDS around its timestamp, so a nonce only has to be remembered that long;
 * older ones are pruned by a cron step (the timestamp check refuses their requests anyway).
 */
import { lt, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { botNonces } from "@/server/db/schema";
import type { CronStep } from "@/server/services/cron/run-cron";

export const REPLAY_WINDOW_SECONDS = 300;

const BOT_NONCES_STEP = "bot-nonces";

/** True when the nonce is new (and is now taken); false when it was seen before. */
export async function recordBotNonce(db: Database, nonce: string): Promise<boolean> {
  const stored = await db.insert(botNonces).values({ nonce }).onConflictDoNothing().returning({ nonce: botNonces.nonce });
  return stored.length > 0;
}

export async function pruneBotNonces(db: Database): Promise<number> {
  const removed = await db
    .delete(botNonces)
    .where(lt(botNonces.seenAt, sql`now() - make_interval(secs => ${REPLAY_WINDOW_SECONDS * 2})`))
    .returning({ nonce: botNonces.nonce });
  return removed.length;
}

export const botNoncesCronStep: CronStep = {
  name: BOT_NONCES_STEP,
  reserveMs: 500,
  run: async ({ db }) => ({ pruned: await pruneBotNonces(db) }),
};
