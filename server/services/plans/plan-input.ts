/**
 * A change to a user's plan, as the bot (PATCH /api/bot/users/{telegramId}, the optional fields of
 * POST /api/bot/keys) and the dashboard send it. One schema for both, so a value refused in one
 * place is refused everywhere, with the field named.
 */
import { z } from "zod";
import type { FieldErrors } from "@/server/errors";
import { ref } from "@/server/messages";
import type { NewUserPlan } from "@/server/services/keys/place-key";

const DAY_MS = 86_400_000;

export const ExpiresAt = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .meta({ description: "When access ends (ISO 8601). `null`: never.", example: "2026-12-31T23:59:59Z" });

export const TrafficLimitBytes = z
  .number()
  .int()
  .positive()
  .max(Number.MAX_SAFE_INTEGER)
  .meta({ description: "Fleet-wide quota (upload + download) in bytes for the current period. `null`: unlimited.", example: 53_687_091_200 });

export const DeviceLimit = z
  .number()
  .int()
  .min(1)
  .max(1000)
  .meta({ description: "Devices (source IPs) at once, the panel's limitIp; enforced only where the panel runs fail2ban. `null`: unlimited.", example: 3 });

/** The plan a new user starts with; every field optional. */
export const NewPlanFields = {
  expiresAt: ExpiresAt.nullable().optional(),
  trafficLimitBytes: TrafficLimitBytes.nullable().optional(),
  deviceLimit: DeviceLimit.nullable().optional(),
};

export const PlanPatch = z
  .object({
    ...NewPlanFields,
    extendDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .optional()
      .meta({ description: "Adds this many days to the current expiry, or to now if the plan has expired or never expires.", example: 30 }),
    disabled: z.boolean().optional().meta({ description: "Switches the user off (true) or on (false) on every node." }),
    resetTraffic: z.boolean().optional().meta({ description: "true: starts a new period — usage counts from zero again (history is kept)." }),
  })
  .superRefine((patch, ctx) => {
    if (patch.expiresAt !== undefined && patch.extendDays !== undefined) {
      ctx.addIssue({ code: "custom", path: ["extendDays"], message: "plan.field.extendWithExpiresAt" });
    }
    if (Object.values(patch).every((v) => v === undefined)) ctx.addIssue({ code: "custom", path: [], message: "plan.field.nothingToChange" });
  });

export type PlanPatchInput = z.output<typeof PlanPatch>;

/** Field errors a schema cannot know: dates must lie ahead of the server's clock. */
export function futureDateErrors(plan: NewUserPlan, now: Date): FieldErrors {
  return plan.expiresAt && plan.expiresAt.getTime() <= now.getTime() ? { expiresAt: ref("plan.field.future") } : {};
}

export function extendedExpiry(current: Date | null, days: number, now: Date): Date {
  const from = current && current.getTime() > now.getTime() ? current.getTime() : now.getTime();
  return new Date(from + days * DAY_MS);
}
