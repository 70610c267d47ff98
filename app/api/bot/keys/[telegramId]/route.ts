// DELETE /api/bot/keys/{telegramId} — the Telegram bot: revoke a user's key. Bearer BOT_API_TOKEN (+ HMAC).
import { botRoute } from "@/server/http/bot-route";
import { parseWith } from "@/server/http/parse-input";
import { TelegramIdParams, toRevokeResponse } from "@/server/openapi/bot-api";
import { appKeyDeps } from "@/server/services/keys/app-key-deps";
import { revokeKey } from "@/server/services/keys/revoke-key";

export const dynamic = "force-dynamic";

export const DELETE = botRoute<{ telegramId: string }>("DELETE /api/bot/keys/{telegramId}", async ({ db, params }) => {
  const { telegramId } = parseWith(TelegramIdParams, params);
  return Response.json(toRevokeResponse(await revokeKey(appKeyDeps(db), { telegramId })));
});
