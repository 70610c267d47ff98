"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { ArrowRightLeftIcon, EllipsisIcon, InfoIcon, RefreshCwIcon, Trash2Icon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { errorMessageOf } from "@/app/_trpc/errors";
import { useTRPC } from "@/app/_trpc/react";
import type { RouterOutputs } from "@/app/(dashboard)/_components/router-outputs";
import { useT } from "@/components/i18n/i18n-provider";
import { renderText } from "@/components/i18n/message-ref";
import { PlacementReasonView } from "@/components/users/placement-reason";
import { QrCode } from "@/components/users/qr-code";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Select } from "@/components/ui/select";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";

type UserRow = RouterOutputs["users"]["search"]["rows"][number];

/** A user's details (key, subscription, QR codes, placement reason) and, for admins, refresh and revoke. */
export function UserActions({ user, canManage }: { user: UserRow; canManage: boolean }) {
  const trpc = useTRPC();
  const t = useT();
  const router = useRouter();
  const [dialog, setDialog] = useState<"details" | "move" | "refresh" | "revoke" | null>(null);
  const [target, setTarget] = useState("");
  const nodes = useQuery(trpc.nodes.list.queryOptions(undefined, { enabled: dialog === "move" }));
  const move = useMutation(trpc.operations.migrateUser.mutationOptions());
  const refresh = useMutation(trpc.users.refreshKey.mutationOptions());
  const revoke = useMutation(trpc.users.revokeKey.mutationOptions());
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
          <div className="grid gap-6 sm:grid-cols-2">
            <figure className="grid justify-items-center gap-2">
              <QrCode value={user.subscriptionUrl} label={t("userActions.subscriptionQr", { user: who })} />
              <figcaption className="text-xs text-muted-foreground">{t("userActions.subscriptionCaption")}</figcaption>
              <CopyButton value={user.subscriptionUrl} label={t("userActions.copySubscription")} />
            </figure>
            {user.assignment?.key ? (
              <figure className="grid justify-items-center gap-2">
                <QrCode value={user.assignment.key} label={t("userActions.keyQr", { user: who })} />
                <figcaption className="text-xs text-muted-foreground">{t("userActions.keyCaption", { node: user.node?.name ?? "" })}</figcaption>
                <CopyButton value={user.assignment.key} label={t("userActions.copyKey")} />
              </figure>
            ) : null}
          </div>
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
            <option value="">{t("userActions.bestNode")}</option>
            {(nodes.data ?? [])
              .filter((n) => n.id !== user.node?.id)
              .map((n) => (
                <option key={n.id} value={n.id}>
                  {n.name} · {t(`healthValue.${n.healthState}`)} · {n.reservedCount}/{n.maxUsers}
                  {n.adminState === "active" ? "" : ` · ${t(`adminStateValue.${n.adminState}`)}`}
                </option>
              ))}
          </Select>
        </FormField>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === "refresh"}
        onOpenChange={close}
        title={t("userActions.refreshTitle", { user: who })}
        description={t("userActions.refreshDescription")}
        confirmLabel={t("userActions.refresh")}
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
    </>
  );
}
