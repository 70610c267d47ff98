/** GET /api/bot/users/{telegramId}: the user's current key and node, read from the database only. */
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import { findUserKey, toKeyView, type KeyView } from "./find-user-key";
import type { KeyDeps } from "./key-deps";

export async function getUserKey(deps: Pick<KeyDeps, "db" | "publicUrl">, input: { telegramId: number }): Promise<KeyView> {
  const row = await findUserKey(deps.db, input.telegramId);
  if (row?.assignment?.state === "pending") {
    throw new AppError("IN_FLIGHT", ref("error.user.keyPending"));
  }
  if (!row?.assignment) throw new AppError("NOT_FOUND", ref("error.user.noKey"));
  return toKeyView(deps.publicUrl, row);
}
