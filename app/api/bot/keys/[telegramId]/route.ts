// DELETE /api/bot/keys/{telegramId} — the Telegram bot: revoke a user's key. Bearer BOT_API_TOKEN (+ HMAC).
import { keyDeps } from "@/server/composition/service-deps";
import { methodNotAllowed, route } from "@/server/http/route";
import { TelegramIdParams, toRevokeResponse } from "@/server/http/bot-api";
import { revokeKey } from "@/server/services/keys/revoke-key";

export const dynamic = "force-dynamic";

export const DELETE = route("DELETE /api/bot/keys/{telegramId}", { auth: "bot", params: TelegramIdParams }, async ({ app, params }) =>
  Response.json(toRevokeResponse(await revokeKey(keyDeps(app), params))),
);

export const { GET, POST, PUT, PATCH } = methodNotAllowed("DELETE");
