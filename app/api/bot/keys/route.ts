// POST /api/bot/keys — the Telegram bot: get or create a user's key, optionally selling a plan. Bearer BOT_API_TOKEN (+ HMAC when BOT_SIGNING_SECRET is set).
import { botPlanDeps } from "@/server/composition/service-deps";
import { methodNotAllowed, route } from "@/server/http/route";
import { KeyRequest, toKeyResponse } from "@/server/http/bot-api";
import { provideKey } from "@/server/services/plans/provide-key";

export const dynamic = "force-dynamic";

export const POST = route("POST /api/bot/keys", { auth: "bot", body: KeyRequest }, async ({ app, body }) =>
  Response.json(toKeyResponse(await provideKey(botPlanDeps(app), body), app.clock.now())),
);

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed("POST");
