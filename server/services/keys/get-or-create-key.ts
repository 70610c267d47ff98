/**
 * POST /api/bot/keys: the user's key, creating it when needed. The returning user whose node is
 * not unhealthy gets the stored key from one indexed read, with no write and no panel call.
 */
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import type { PlacementPreference } from "@/server/services/balancer/score-nodes";
import { awaitInFlight } from "./await-in-flight";
import { findUserKey, isServable, toKeyView, type KeyView } from "./find-user-key";
import type { KeyDeps } from "./key-deps";
import { placeKey, type NewUserPlan, type PlacementInput } from "./place-key";

/** `plan`: the plan a user created by this request starts with (an existing user's plan is left alone). */
export type GetOrCreateKeyInput = PlacementPreference & { telegramId: number; username?: string | null; plan?: NewUserPlan; nodeId?: string };

const panelsUnavailable = () => new AppError("PANELS_UNAVAILABLE", ref("error.key.panelsUnavailable"));

/** Runs a placement and reads back what it produced; shared with refresh. */
export async function placeAndRead(deps: KeyDeps, input: PlacementInput): Promise<KeyView> {
  const outcome = await placeKey(deps, input);
  // Another request got the user's lock first: its result is ours too.
  const row = outcome.kind === "in-flight" ? await awaitInFlight(deps, input.telegramId) : await findUserKey(deps.db, input.telegramId);
  if (row?.assignment?.state !== "active") throw panelsUnavailable();
  const view = toKeyView(deps.publicUrl, row);
  if (outcome.kind === "placed") deps.metrics?.keyPlaced(input.mode === "rotate" ? "refreshed" : "issued", view.node);
  return view;
}

export async function getOrCreateKey(deps: KeyDeps, input: GetOrCreateKeyInput): Promise<KeyView> {
  const found = await findUserKey(deps.db, input.telegramId);
  // A switched-off user's key does not work: say so rather than hand it out.
  if (found?.user.status === "disabled") throw new AppError("FORBIDDEN", ref("error.user.disabled"));
  if (found && isServable(found)) return toKeyView(deps.publicUrl, found);
  if (found?.assignment?.state === "pending") {
    const settled = await awaitInFlight(deps, input.telegramId);
    if (settled) return toKeyView(deps.publicUrl, settled);
    // The other request ended without a key (every panel failed): try ourselves.
  }
  return placeAndRead(deps, { ...input, mode: "replace-unservable" });
}
