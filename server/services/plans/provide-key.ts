/**
 * POST /api/bot/keys with plan fields (expiresAt, trafficLimitBytes, deviceLimit), the bot's "sell
 * a plan" call: a user created by the request starts with that plan — their first client already
 * carries it — and an existing user's plan is changed to it as PATCH would, then the key is
 * returned as usual. Without plan fields it is exactly getOrCreateKey.
 */
import { badRequest } from "@/server/errors";
import { getOrCreateKey, type GetOrCreateKeyInput } from "@/server/services/keys/get-or-create-key";
import { getUserKey } from "@/server/services/keys/get-user-key";
import type { KeyView } from "@/server/services/keys/find-user-key";
import type { NewUserPlan } from "@/server/services/keys/place-key";
import { futureDateErrors } from "./plan-input";
import type { PlanDeps } from "./plan-deps";
import { updateUserPlan } from "./update-plan";

export type ProvideKeyInput = Omit<GetOrCreateKeyInput, "plan"> & NewUserPlan;

function isPlanAsked(plan: NewUserPlan, current: KeyView["plan"]): boolean {
  return (
    (plan.expiresAt === undefined || (plan.expiresAt?.getTime() ?? null) === (current.expiresAt?.getTime() ?? null)) &&
    (plan.trafficLimitBytes === undefined || plan.trafficLimitBytes === current.trafficLimitBytes) &&
    (plan.deviceLimit === undefined || plan.deviceLimit === current.deviceLimit)
  );
}

export async function provideKey(deps: PlanDeps, input: ProvideKeyInput): Promise<KeyView> {
  const { expiresAt, trafficLimitBytes, deviceLimit, ...request } = input;
  const plan: NewUserPlan = { expiresAt, trafficLimitBytes, deviceLimit };
  const hasPlan = Object.values(plan).some((v) => v !== undefined);
  if (!hasPlan) return getOrCreateKey(deps, request);
  const errors = futureDateErrors(plan, deps.clock.now());
  if (Object.keys(errors).length > 0) throw badRequest(errors);
  const view = await getOrCreateKey(deps, { ...request, plan });
  if (isPlanAsked(plan, view.plan)) return view;
  await updateUserPlan(deps, { telegramId: input.telegramId, patch: plan });
  return getUserKey(deps, { telegramId: input.telegramId });
}
