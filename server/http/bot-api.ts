/**
 * The bot API's contract: its request and response shapes and the mappers from service results to
 * them. The route handlers parse and shape with these very schemas, and /api/openapi.json is
 * generated from them (server/openapi), so the document cannot drift from the code.
 */
import { z } from "zod";
import { APP_ERROR_CODES } from "@/server/errors";
import type { KeyView } from "@/server/services/keys/find-user-key";
import type { RevokeResult } from "@/server/services/keys/revoke-key";
import { NewPlanFields, PlanPatch } from "@/server/services/plans/plan-input";
import type { UserPlanResult } from "@/server/services/plans/update-plan";
import { toPlanView, type PlanView } from "@/server/services/plans/user-plan";
import { TelegramId } from "@/server/services/users/telegram-id";

/** The `{telegramId}` path segment: digits only. */
export const TelegramIdParam = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, "must be a positive integer")
  .transform(Number)
  .pipe(TelegramId);

export const TelegramIdParams = z.object({ telegramId: TelegramIdParam });

const Location = z.string().trim().min(1).max(64).meta({ description: "Preferred node location, as set on the nodes (case-insensitive).", example: "NL" });
const StrictLocation = z.boolean().meta({ description: "Only nodes in `location`; without it other locations are the fallback." });

export const KeyRequest = z
  .object({
    telegramId: TelegramId,
    username: z.string().trim().min(1).max(64).optional().meta({ description: "Telegram username, shown to admins." }),
    location: Location.optional(),
    strictLocation: StrictLocation.optional(),
    // The plan: a new user starts with it; an existing user's plan is changed to it (as PATCH /api/bot/users/{telegramId}).
    ...NewPlanFields,
  })
  .meta({ id: "KeyRequest" });

/** PATCH /api/bot/users/{telegramId}: any of these; at least one. */
export const PlanPatchRequest = PlanPatch.meta({ id: "PlanPatch" });

export const RefreshRequest = z
  .object({
    telegramId: TelegramId,
    location: Location.optional(),
    strictLocation: StrictLocation.optional(),
    rotateSubscription: z.boolean().optional().meta({ description: "Also replace the subscription URL (the old one answers 404 at once): for a user whose URL leaked." }),
  })
  .meta({ id: "RefreshRequest" });

const NodeSummary = z.object({ id: z.uuid(), name: z.string(), location: z.string().nullable() });

const Status = z
  .enum(["active", "disabled", "expired", "over_quota"])
  .meta({ description: "active; disabled (switched off by the bot or an admin); expired; over_quota (fleet-wide usage reached the limit). Only active users' clients let traffic through." });

const Plan = z
  .object({
    expiresAt: z.iso.datetime().nullable().meta({ description: "null: never." }),
    trafficLimitBytes: z.number().int().nullable().meta({ description: "Fleet-wide quota for the current period; null: unlimited." }),
    deviceLimit: z.number().int().nullable().meta({ description: "null: unlimited." }),
    disabled: z.boolean(),
  })
  .meta({ id: "Plan" });

const Usage = z
  .object({
    uploadBytes: z.number().int(),
    downloadBytes: z.number().int(),
    usedBytes: z.number().int().meta({ description: "upload + download in the current period, counted on every node the user was on." }),
    remainingBytes: z.number().int().nullable().meta({ description: "null: unlimited." }),
    periodStartedAt: z.iso.datetime().meta({ description: "The last traffic reset, or when the user was created." }),
  })
  .meta({ id: "Usage" });

const PlanFields = { status: Status, plan: Plan, usage: Usage };

export const KeyResponse = z
  .object({
    telegramId: TelegramId,
    key: z.string().meta({ description: "The share link (vless://, vmess://, trojan:// or ss://) to import in a VPN app." }),
    standbyKey: z
      .string()
      .optional()
      .meta({ description: "STANDBY_ENABLED: the user's second key, on another node, that their app falls back to (the subscription lists it after `key`). Absent when there is none or its node is not serving." }),
    subscriptionUrl: z.url().meta({ description: "Per user: keeps working when the user is moved to another node; replaced when the key is revoked or refreshed with rotateSubscription." }),
    node: NodeSummary,
    createdAt: z.iso.datetime().meta({ description: "When this key was issued." }),
    ...PlanFields,
  })
  .meta({ id: "KeyResponse" });

export const UserResponse = KeyResponse.extend({ username: z.string().nullable() }).meta({ id: "UserResponse" });

export const UserPlanResponse = z
  .object({
    telegramId: TelegramId,
    username: z.string().nullable(),
    ...PlanFields,
    syncedToPanels: z.boolean().meta({ description: "false: a node was unreachable; the plan is saved and applied to the client when it is back." }),
  })
  .meta({ id: "UserPlanResponse" });

export const RevokeResponse = z
  .object({
    telegramId: TelegramId,
    revoked: z.literal(true),
    removedFromPanel: z.boolean().meta({ description: "false: the panel was unreachable or refused the delete; the key no longer counts and the client is removed later." }),
    disabledOnPanel: z.boolean().meta({ description: "true: the panel refused the delete (v2 keeps an inbound's last client), so the client is switched off there — it carries no traffic — and deleted later." }),
  })
  .meta({ id: "RevokeResponse" });

export const ErrorResponse = z
  .object({
    code: z.enum(Object.keys(APP_ERROR_CODES) as [keyof typeof APP_ERROR_CODES, ...(keyof typeof APP_ERROR_CODES)[]]),
    message: z.string(),
    fields: z.record(z.string(), z.string()).optional().meta({ description: "400 only: the invalid fields, by path." }),
  })
  .meta({ id: "Error" });

function planFields(view: PlanView): Pick<z.output<typeof KeyResponse>, "status" | "plan" | "usage"> {
  return {
    status: view.status,
    plan: { ...view.plan, expiresAt: view.plan.expiresAt?.toISOString() ?? null },
    usage: { ...view.usage, periodStartedAt: view.usage.periodStartedAt.toISOString() },
  };
}

/** `now` decides whether a plan past its expiry already reads as expired. */
export function toKeyResponse(view: KeyView, now: Date): z.output<typeof KeyResponse> {
  return {
    telegramId: view.telegramId,
    key: view.key,
    ...(view.standbyKey ? { standbyKey: view.standbyKey } : {}),
    subscriptionUrl: view.subscriptionUrl,
    node: view.node,
    createdAt: view.createdAt.toISOString(),
    ...planFields(toPlanView(view.plan, now)),
  };
}

export function toUserResponse(view: KeyView, now: Date): z.output<typeof UserResponse> {
  return { ...toKeyResponse(view, now), username: view.username };
}

export function toUserPlanResponse(result: UserPlanResult): z.output<typeof UserPlanResponse> {
  return { telegramId: result.telegramId, username: result.username, ...planFields(result), syncedToPanels: result.syncedToPanels };
}

export function toRevokeResponse(result: RevokeResult): z.output<typeof RevokeResponse> {
  return result;
}
