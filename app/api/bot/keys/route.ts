// POST /api/bot/keys — the Telegram bot: get or create a user's key. Bearer BOT_API_TOKEN (+ HMAC when BOT_SIGNING_SECRET is set).
import { keyDeps } from "@/server/composition/service-deps";
import { methodNotAllowed, route } from "@/server/http/route";
import { KeyRequest, toKeyResponse } from "@/server/http/bot-api";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";

export const dynamic = "force-dynamic";

export const POST = route("POST /api/bot/keys", { auth: "bot", body: KeyRequest }, async ({ app, body }) =>
  Response.json(toKeyResponse(await getOrCreateKey(keyDeps(app), body))),
);

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed("POST");
