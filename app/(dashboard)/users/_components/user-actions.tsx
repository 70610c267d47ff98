"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import {
  ArrowRightLeftIcon,
  CalendarPlusIcon,
  EllipsisIcon,
  GaugeIcon,
  InfoIcon,
  KeyRoundIcon,
  LinkIcon,
  PowerIcon,
  PowerOffIcon,
  RefreshCwIcon,
  RotateCcwIcon,
  Trash2Icon,
} from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { errorMessageOf, fieldErrorsOf } from "@/app/_trpc/errors";
import { useTRPC } from "@/app/_trpc/react";
import type { RouterOutputs } from "@/app/(dashboard)/_components/router-outputs";
import { useT } from "@/components/i18n/i18n-provider";
import { renderText } from "@/components/i18n/message-ref";
import { PlacementReasonView } from "@/components/users/placement-reason";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { KeyReveal } from "./key-reveal";
import { NodeOptions } from "./node-options";
import { draftOf, planErrorsOf, planOf, PlanFields, type PlanDraft, type PlanErrors, type PlanValue } from "./plan-fields";

type UserRow = RouterOutputs["users"]["search"]["rows"][number];
type Dialog = "details" | "move" | "refresh" | "revoke" | "rotate" | "plan" | "extend" | "reset" | "switch";

/**
 * A user's details (placement reason; for admins, the key and subscription on request) and, for
 * admins: the plan (edit, extend, reset the period's traffic, switch off and on), the key (issue,
 * move, refresh, revoke) and the subscription URL (rotate). Every change is audited by the service
 * it calls.
 */
export function UserActions({ user, canManage }: { user: UserRow; canManage: boolean }) {
  const trpc = useTRPC();
  const t = useT();
  const router = useRouter();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [target, setTarget] = useState("");
  const [draft, setDraft] = useState<PlanDraft>(() => draftOf(user.plan));
  const [planErrors, setPlanErrors] = useState<PlanErrors>({});
  const [days, setDays] = useState("30");
  const nodes = useQuery(trpc.nodes.list.queryOptions(undefined, { enabled: dialog === "move" }));
  const move = useMutation(trpc.operations.migrateUser.mutationOptions());
  const refresh = useMutation(trpc.users.refreshKey.mutationOptions());
  const revoke = useMutation(trpc.users.revokeKey.mutationOptions());
  const rotate = useMutation(trpc.users.rotateSubscription.mutationOptions());
  const updatePlan = useMutation(trpc.users.updatePlan.mutationOptions());
  const who = user.username ? `@${user.username}` : String(user.telegramId);
  const close = (open: boolean) => !open && setDialog(null);
  const run = async (action: () => Promise<unknown>, done: string) => {
    try {
      await action();
    } catch (error) {
      toast.error(errorMessageOf(error, t));
      throw error;
    }
    toast.success(done);
    router.refresh();
  };

  const open = (next: Dialog) => {
    setPlanErrors({});
    if (next === "plan") setDraft(draftOf(user.plan));
    if (next === "extend") setDays("30");
    setDialog(next);
  };
  const changePlan = (patch: Parameters<typeof updatePlan.mutateAsync>[0]["patch"], done: string) =>
    run(async () => {
      const result = await updatePlan.mutateAsync({ telegramId: user.telegramId, patch });
      if (!result.syncedToPanels) toast.warning(t("userActions.panelsLater"));
    }, done);
  const savePlan = async () => {
    const parsed = planOf(draft, t);
    if ("errors" in parsed) {
      setPlanErrors(parsed.errors);
      throw new Error(t("planForm.invalid"));
    }
    // Only what the admin changed: an expired plan's old date would be refused as "in the past".
    const before = planOf(draftOf(user.plan), t);
    const previous: Partial<PlanValue> = "value" in before ? before.value : {};
    const patch = Object.fromEntries(Object.entries(parsed.value).filter(([key, value]) => previous[key as keyof PlanValue] !== value));
    if (Object.keys(patch).length === 0) return;
    try {
      await changePlan(patch, t("userActions.planSavedToast", { user: who }));
    } catch (error) {
      setPlanErrors(planErrorsOf(fieldErrorsOf(error)));
      throw error;
    }
  };
  const isOff = user.plan.disabled;

  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger variant="ghost" size="icon-sm" aria-label={t("common.actionsFor", { name: who })}>
          <EllipsisIcon aria-hidden />
        </DropdownMenuTrigger>
        <DropdownMenuContent>
          <DropdownMenuItem onSelect={() => setDialog("details")}>
            <InfoIcon aria-hidden /> {t("userActions.details")}
          </DropdownMenuItem>
          {canManage ? (
            <>
              <DropdownMenuSeparator />
              <DropdownMenuItem onSelect={() => open("plan")}>
                <GaugeIcon aria-hidden /> {t("userActions.editPlan")}
              </DropdownMenuItem>
              <DropdownMenuItem onSelect={() => open("extend")}>
                <CalendarPlusIcon aria-hidden /> {t("userActions.extend")}
              </DropdownMenuItem>
              <DropdownMenuItem onSelect={() => open("reset")}>
                <RotateCcwIcon aria-hidden /> {t("userActions.resetTraffic")}
              </DropdownMenuItem>
              <DropdownMenuItem variant={isOff ? "default" : "destructive"} onSelect={() => open("switch")}>
                {isOff ? <PowerIcon aria-hidden /> : <PowerOffIcon aria-hidden />} {t(isOff ? "userActions.switchOn" : "userActions.switchOff")}
              </DropdownMenuItem>
              {user.assignment ? null : (
                <DropdownMenuItem onSelect={() => setDialog("refresh")}>
                  <KeyRoundIcon aria-hidden /> {t("userActions.issueKey")}
                </DropdownMenuItem>
              )}
            </>
          ) : null}
          {canManage && user.assignment ? (
            <>
              <DropdownMenuSeparator />
              <DropdownMenuItem
                onSelect={() => {
                  // A target left from a previous move is now the user's own node: start from the balancer's choice.
                  setTarget("");
                  setDialog("move");
                }}
              >
                <ArrowRightLeftIcon aria-hidden /> {t("userActions.move")}
              </DropdownMenuItem>
              <DropdownMenuItem onSelect={() => setDialog("refresh")}>
                <RefreshCwIcon aria-hidden /> {t("userActions.refresh")}
              </DropdownMenuItem>
              <DropdownMenuItem variant="destructive" onSelect={() => setDialog("revoke")}>
                <Trash2Icon aria-hidden /> {t("userActions.revoke")}
              </DropdownMenuItem>
            </>
          ) : null}
          {canManage ? (
            <DropdownMenuItem onSelect={() => setDialog("rotate")}>
              <LinkIcon aria-hidden /> {t("userActions.rotateSubscription")}
            </DropdownMenuItem>
          ) : null}
        </DropdownMenuContent>
      </DropdownMenu>

      <Dialog open={dialog === "details"} onOpenChange={close}>
        <DialogContent className="max-w-2xl">
          <DialogHeader>
            <DialogTitle>{who}</DialogTitle>
            <DialogDescription>
              {t("userActions.detailsLine", { id: user.telegramId, where: user.node ? t("userActions.onNode", { node: user.node.name }) : t("users.noKey") })}
            </DialogDescription>
          </DialogHeader>
          {canManage ? (
            <KeyReveal telegramId={user.telegramId} who={who} nodeName={user.node?.name ?? null} />
          ) : (
            <p className="text-sm text-muted-foreground">{t("userActions.keysAdminsOnly")}</p>
          )}
          <section className="grid min-w-0 grid-cols-[minmax(0,1fr)] gap-2">
            <h3 className="text-sm font-semibold">{t("userActions.why")}</h3>
            <PlacementReasonView reason={user.assignment?.placementReason ?? null} />
          </section>
        </DialogContent>
      </Dialog>

      <ConfirmDialog
        open={dialog === "move"}
        onOpenChange={close}
        title={t("userActions.moveTitle", { user: who })}
        description={t("userActions.moveDescription")}
        confirmLabel={t("userActions.moveConfirm")}
        onConfirm={() =>
          run(async () => {
            const result = await move.mutateAsync({ telegramId: user.telegramId, toNodeId: target || undefined });
            if (result.outcome.status !== "succeeded") throw new Error(t("userActions.notMoved", { detail: renderText(t, result.outcome.detail) ?? "" }));
          }, t("userActions.movedToast", { user: who }))
        }
      >
        <FormField label={t("userActions.targetNode")} description={t("userActions.targetHint")} className="min-w-0">
          <Select value={target} onChange={(e) => setTarget(e.target.value)}>
            <NodeOptions nodes={(nodes.data ?? []).filter((n) => n.id !== user.node?.id)} />
          </Select>
        </FormField>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === "refresh"}
        onOpenChange={close}
        title={t(user.assignment ? "userActions.refreshTitle" : "userActions.issueKeyTitle", { user: who })}
        description={t(user.assignment ? "userActions.refreshDescription" : "userActions.issueKeyDescription")}
        confirmLabel={t(user.assignment ? "userActions.refresh" : "userActions.issueKey")}
        onConfirm={() => run(() => refresh.mutateAsync({ telegramId: user.telegramId }), t("userActions.refreshedToast", { user: who }))}
      />
      <ConfirmDialog
        open={dialog === "revoke"}
        onOpenChange={close}
        variant="destructive"
        title={t("userActions.revokeTitle", { user: who })}
        description={t("userActions.revokeDescription")}
        confirmLabel={t("userActions.revoke")}
        onConfirm={() => run(() => revoke.mutateAsync({ telegramId: user.telegramId }), t("userActions.revokedToast", { user: who }))}
      />
      <ConfirmDialog
        open={dialog === "rotate"}
        onOpenChange={close}
        variant="destructive"
        title={t("userActions.rotateTitle", { user: who })}
        description={t("userActions.rotateDescription")}
        confirmLabel={t("userActions.rotateSubscription")}
        onConfirm={() => run(() => rotate.mutateAsync({ telegramId: user.telegramId }), t("userActions.rotatedToast", { user: who }))}
      />
      <ConfirmDialog
        open={dialog === "plan"}
        onOpenChange={close}
        title={t("userActions.planTitle", { user: who })}
        description={t("userActions.planDescription")}
        confirmLabel={t("common.save")}
        onConfirm={savePlan}
      >
        <PlanFields draft={draft} onChange={setDraft} errors={planErrors} />
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === "extend"}
        onOpenChange={close}
        title={t("userActions.extendTitle", { user: who })}
        description={t("userActions.extendDescription")}
        confirmLabel={t("userActions.extend")}
        onConfirm={() => {
          const value = Number(days);
          if (!Number.isInteger(value) || value < 1 || value > 3650) {
            setPlanErrors({ expiresAt: t("planForm.days") });
            return Promise.reject(new Error(t("planForm.days")));
          }
          return changePlan({ extendDays: value }, t("userActions.extendedToast", { user: who, count: value }));
        }}
      >
        <FormField label={t("userActions.extendDays")} error={planErrors.expiresAt}>
          <Input inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} className="w-32" />
        </FormField>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === "reset"}
        onOpenChange={close}
        title={t("userActions.resetTitle", { user: who })}
        description={t("userActions.resetDescription")}
        confirmLabel={t("userActions.resetTraffic")}
        onConfirm={() => changePlan({ resetTraffic: true }, t("userActions.resetToast", { user: who }))}
      />
      <ConfirmDialog
        open={dialog === "switch"}
        onOpenChange={close}
        variant={isOff ? "default" : "destructive"}
        title={t(isOff ? "userActions.switchOnTitle" : "userActions.switchOffTitle", { user: who })}
        description={t(isOff ? "userActions.switchOnDescription" : "userActions.switchOffDescription")}
        confirmLabel={t(isOff ? "userActions.switchOn" : "userActions.switchOff")}
        onConfirm={() => changePlan({ disabled: !isOff }, t(isOff ? "userActions.switchedOnToast" : "userActions.switchedOffToast", { user: who }))}
      />
    </>
  );
}
