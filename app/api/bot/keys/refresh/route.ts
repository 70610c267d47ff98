// POST /api/bot/keys/refresh — the Telegram bot: rotate a user's key (new client, old one removed). Bearer BOT_API_TOKEN (+ HMAC).
import { botKeyDeps } from "@/server/composition/service-deps";
import { methodNotAllowed, route } from "@/server/http/route";
import { RefreshRequest, toKeyResponse } from "@/server/http/bot-api";
import { refreshKey } from "@/server/services/keys/refresh-key";

export const dynamic = "force-dynamic";

export const POST = route("POST /api/bot/keys/refresh", { auth: "bot", body: RefreshRequest }, async ({ app, body }) =>
  Response.json(toKeyResponse(await refreshKey(botKeyDeps(app), body), app.clock.now())),
);

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed("POST");
