// GET /api/bot/users/{telegramId} — the Telegram bot: a user's current node and key, 404 if none. Bearer BOT_API_TOKEN (+ HMAC).
import { botRoute } from "@/server/http/bot-route";
import { parseWith } from "@/server/http/parse-input";
import { TelegramIdParams, toUserResponse } from "@/server/openapi/bot-api";
import { appKeyDeps } from "@/server/services/keys/app-key-deps";
import { getUserKey } from "@/server/services/keys/get-user-key";

export const dynamic = "force-dynamic";

export const GET = botRoute<{ telegramId: string }>("GET /api/bot/users/{telegramId}", async ({ db, params }) => {
  const { telegramId } = parseWith(TelegramIdParams, params);
  return Response.json(toUserResponse(await getUserKey(appKeyDeps(db), { telegramId })));
});
