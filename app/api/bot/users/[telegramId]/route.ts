// GET /api/bot/users/{telegramId} — the Telegram bot: a user's current node, key and plan, 404 if none.
// PATCH /api/bot/users/{telegramId} — the bot changes a user's plan (expiry, quota, devices, switch, traffic reset).
// Bearer BOT_API_TOKEN (+ HMAC).
import { keyDeps, planDeps } from "@/server/composition/service-deps";
import { methodNotAllowed, route } from "@/server/http/route";
import { PlanPatchRequest, TelegramIdParams, toUserPlanResponse, toUserResponse } from "@/server/http/bot-api";
import { getUserKey } from "@/server/services/keys/get-user-key";
import { updateUserPlan } from "@/server/services/plans/update-plan";

export const dynamic = "force-dynamic";

export const GET = route("GET /api/bot/users/{telegramId}", { auth: "bot", params: TelegramIdParams }, async ({ app, params }) =>
  Response.json(toUserResponse(await getUserKey(keyDeps(app), params), app.clock.now())),
);

export const PATCH = route("PATCH /api/bot/users/{telegramId}", { auth: "bot", params: TelegramIdParams, body: PlanPatchRequest }, async ({ app, params, body }) =>
  Response.json(toUserPlanResponse(await updateUserPlan(planDeps(app), { telegramId: params.telegramId, patch: body }))),
);

export const { POST, PUT, DELETE } = methodNotAllowed("GET", "PATCH");
