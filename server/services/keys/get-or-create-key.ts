/**
 * POST /api/bot/keys: the user's key, creating it when needed. The returning user whose node is
 * not unhealthy gets the stored key from one indexed read, with no write and no panel call — unless
 * an earlier request of theirs left work unfinished, which this request settles first.
 */
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import type { PlacementPreference } from "@/server/services/balancer/score-nodes";
import { awaitInFlight, inFlight } from "./await-in-flight";
import { findUserKey, isServable, toKeyView, type KeyView, type UserKeyRow } from "./find-user-key";
import type { KeyDeps } from "./key-deps";
import { keyPending, placeKey, type NewUserPlan, type PlacementInput } from "./place-key";
import { settleUserWork } from "./settle-in-flight";

/** `plan`: the plan a user created by this request starts with (an existing user's plan is left alone). */
export type GetOrCreateKeyInput = PlacementPreference & { telegramId: number; username?: string | null; plan?: NewUserPlan; nodeId?: string };

const panelsUnavailable = () => new AppError("PANELS_UNAVAILABLE", ref("error.key.panelsUnavailable"));

/** Runs a placement and reads back what it produced; shared with refresh. */
export async function placeAndRead(deps: KeyDeps, input: PlacementInput): Promise<KeyView> {
  await deps.beforeNewKey?.(input.telegramId);
  const outcome = await placeKey(deps, input);
  if (outcome.kind === "placed") {
    const { assignment, placement } = outcome;
    const view = toKeyView(deps.publicUrl, { user: placement.user, assignment, node: placement.node });
    deps.metrics?.keyPlaced(input.mode === "rotate" ? "refreshed" : "issued", view.node);
    deps.afterKeyPlaced?.(placement.user.id);
    return view;
  }
  // Another request got there first: its result is ours too.
  const row = outcome.kind === "in-flight" ? await awaitInFlight(deps, input.telegramId) : await findUserKey(deps.db, input.telegramId);
  if (isServable(row)) return toKeyView(deps.publicUrl, row as UserKeyRow);
  if (row?.pendingSettleBy && row.pendingSettleBy.getTime() > Date.now()) throw inFlight(row.pendingSettleBy);
  throw panelsUnavailable();
}

export async function getOrCreateKey(deps: KeyDeps, input: GetOrCreateKeyInput): Promise<KeyView> {
  let found = await findUserKey(deps.db, input.telegramId);
  // A switched-off user's key does not work: say so rather than hand it out.
  if (found?.user.status === "disabled") throw new AppError("FORBIDDEN", ref("error.user.disabled"));
  if (found?.hasStaleWork) {
    const settled = await settleUserWork(deps, found.user.id);
    found = await findUserKey(deps.db, input.telegramId);
    if (settled?.kind === "unknown" && !isServable(found)) throw keyPending(settled.retryAfterMs);
  }
  if (found && isServable(found)) return toKeyView(deps.publicUrl, found);
  if (found?.pendingSettleBy && found.pendingSettleBy.getTime() > Date.now()) {
    const settled = await awaitInFlight(deps, input.telegramId);
    if (isServable(settled)) return toKeyView(deps.publicUrl, settled as UserKeyRow);
    // The other request ended without a key (every panel failed), or its work went stale: try ourselves.
  }
  return placeAndRead(deps, { ...input, mode: "replace-unservable", isNewUser: found === null });
}
