/**
 * POST /api/bot/keys/refresh: a new client (new id, new email) on the best node now. The old key
 * keeps working, and keeps its place on its node, until the new one is active; then it is taken
 * off its panel. If no node can take the new client, the user still has the old key and the call
 * fails with 503/502. With `rotateSubscription` the subscription URL is replaced too (the old one
 * answers 404), in the transaction that begins the placement: a refresh refused before it begins
 * changes nothing, one that begins keeps the new URL even if every panel then fails.
 */
import type { Actor } from "@/server/services/actor";
import type { PlacementPreference } from "@/server/services/balancer/score-nodes";
import { findUserKey, type KeyView } from "./find-user-key";
import { placeAndRead } from "./get-or-create-key";
import type { KeyDeps } from "./key-deps";
import { settleUserWork } from "./settle-in-flight";

export type RefreshKeyInput = PlacementPreference & { telegramId: number; actor?: Actor; rotateSubscription?: boolean };

export async function refreshKey(deps: KeyDeps, input: RefreshKeyInput): Promise<KeyView> {
  const found = await findUserKey(deps.db, input.telegramId);
  if (found?.hasStaleWork) await settleUserWork(deps, found.user.id);
  return placeAndRead(deps, { ...input, mode: "rotate" });
}
