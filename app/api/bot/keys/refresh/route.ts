// POST /api/bot/keys/refresh — the Telegram bot: rotate a user's key (new client, old one removed). Bearer BOT_API_TOKEN (+ HMAC).
import { botRoute } from "@/server/http/bot-route";
import { RefreshRequest, toKeyResponse } from "@/server/openapi/bot-api";
import { appKeyDeps } from "@/server/services/keys/app-key-deps";
import { refreshKey } from "@/server/services/keys/refresh-key";

export const dynamic = "force-dynamic";

export const POST = botRoute("POST /api/bot/keys/refresh", async ({ db, json }) => {
  const input = json(RefreshRequest);
  return Response.json(toKeyResponse(await refreshKey(appKeyDeps(db), input)));
});
