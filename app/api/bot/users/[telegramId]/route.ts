// GET /api/bot/users/{telegramId} — the Telegram bot: a user's current node and key, 404 if none. Bearer BOT_API_TOKEN (+ HMAC).
import { keyDeps } from "@/server/composition/service-deps";
import { methodNotAllowed, route } from "@/server/http/route";
import { TelegramIdParams, toUserResponse } from "@/server/http/bot-api";
import { getUserKey } from "@/server/services/keys/get-user-key";

export const dynamic = "force-dynamic";

export const GET = route("GET /api/bot/users/{telegramId}", { auth: "bot", params: TelegramIdParams }, async ({ app, params }) =>
  Response.json(toUserResponse(await getUserKey(keyDeps(app), params))),
);

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
