/**
 * POST /api/bot/keys/refresh: a new client (new id, new email) on the best node now; the old one
 * is deleted once the new one is active. If no node can take the new client, the user keeps
 * the old key and the call fails with 503/502.
 */
import type { Actor } from "@/server/services/actor";
import type { PlacementPreference } from "@/server/services/balancer/score-nodes";
import type { KeyView } from "./find-user-key";
import { placeAndRead } from "./get-or-create-key";
import type { KeyDeps } from "./key-deps";

export type RefreshKeyInput = PlacementPreference & { telegramId: number; actor?: Actor };

export async function refreshKey(deps: KeyDeps, input: RefreshKeyInput): Promise<KeyView> {
  return placeAndRead(deps, { ...input, mode: "rotate" });
}
