/**
 * The users page's bulk actions: one plan change (switch on, switch off, extend, reset traffic)
 * applied to each selected user through updateUserPlan, so each user's change is locked, audited
 * and put on their panels exactly as a single change is. One user's failure (gone meanwhile, a
 * panel down) does not stop the others; the answer lists what happened to each.
 */
import { z } from "zod";
import { toAppError, type ErrorText } from "@/server/errors";
import type { AuditActor } from "@/server/services/actor";
import type { PlanDeps } from "@/server/services/plans/plan-deps";
import type { PlanPatchInput } from "@/server/services/plans/plan-input";
import { updateUserPlan } from "@/server/services/plans/update-plan";
import { TelegramId } from "./telegram-id";

/** More than a page of the users table at its largest, less than a request should hold a panel for. */
export const BULK_LIMIT = 200;
// Users changed at once: each change may write to a panel, and panels are shared with the cron.
const CONCURRENCY = 4;

export const bulkActionSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("enable") }),
  z.object({ action: z.literal("disable") }),
  z.object({ action: z.literal("resetTraffic") }),
  z.object({ action: z.literal("extend"), days: z.number().int().min(1).max(3650) }),
]);
export type BulkAction = z.infer<typeof bulkActionSchema>;

export const bulkInputSchema = z.object({
  telegramIds: z.array(TelegramId).min(1).max(BULK_LIMIT),
  change: bulkActionSchema,
});

export type BulkResult = {
  changed: number;
  /** Changed, but a node was down: the reconciler puts the change on that client later. */
  pendingOnPanels: number;
  failed: { telegramId: number; error: ErrorText }[];
};

function patchOf(change: BulkAction): PlanPatchInput {
  switch (change.action) {
    case "enable":
      return { disabled: false };
    case "disable":
      return { disabled: true };
    case "resetTraffic":
      return { resetTraffic: true };
    case "extend":
      return { extendDays: change.days };
  }
}

export async function bulkUpdatePlans(deps: PlanDeps, input: { telegramIds: number[]; change: BulkAction; actor: AuditActor }): Promise<BulkResult> {
  const result: BulkResult = { changed: 0, pendingOnPanels: 0, failed: [] };
  const queue = [...new Set(input.telegramIds)];
  const patch = patchOf(input.change);
  const worker = async () => {
    for (let telegramId = queue.shift(); telegramId !== undefined; telegramId = queue.shift()) {
      try {
        const changed = await updateUserPlan(deps, { telegramId, patch, actor: input.actor });
        result.changed++;
        if (!changed.syncedToPanels) result.pendingOnPanels++;
      } catch (error) {
        result.failed.push({ telegramId, error: toAppError(error).text });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  result.failed.sort((a, b) => a.telegramId - b.telegramId);
  return result;
}
