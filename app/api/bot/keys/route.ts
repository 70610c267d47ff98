// POST /api/bot/keys — the Telegram bot: get or create a user's key. Bearer BOT_API_TOKEN (+ HMAC when BOT_SIGNING_SECRET is set).
import { botRoute } from "@/server/http/bot-route";
import { KeyRequest, toKeyResponse } from "@/server/openapi/bot-api";
import { appKeyDeps } from "@/server/services/keys/app-key-deps";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";

export const dynamic = "force-dynamic";

export const POST = botRoute("POST /api/bot/keys", async ({ db, json }) => {
  const input = json(KeyRequest);
  return Response.json(toKeyResponse(await getOrCreateKey(appKeyDeps(db), input)));
});
