"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { errorMessageOf } from "@/app/_trpc/errors";
import { useTRPC } from "@/app/_trpc/react";
import type { RouterOutputs } from "@/app/(dashboard)/_components/router-outputs";
import { formatDate } from "@/components/i18n/format";
import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { renderText } from "@/components/i18n/message-ref";
import { labelOf } from "@/components/i18n/translate";
import { AccessBadge } from "@/components/users/access-badge";
import { UsageMeter } from "@/components/users/usage-meter";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { HealthBadge, type HealthState } from "@/components/ui/status-badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { UserActions } from "./user-actions";

type UserRow = RouterOutputs["users"]["search"]["rows"][number];
type BulkChange = { action: "enable" } | { action: "disable" } | { action: "resetTraffic" } | { action: "extend"; days: number };
type BulkKind = BulkChange["action"];

/** One page of users with their plan and usage; admins select rows and act on them together. */
export function UsersTable({ rows, canManage }: { rows: UserRow[]; canManage: boolean }) {
  const t = useT();
  const locale = useLocale();
  const trpc = useTRPC();
  const router = useRouter();
  const bulk = useMutation(trpc.users.bulk.mutationOptions());
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [pending, setPending] = useState<BulkKind | null>(null);
  const [days, setDays] = useState("30");
  const [daysError, setDaysError] = useState<string | undefined>();
  // Rows of another page or filter are not acted on by accident.
  const chosen = rows.filter((r) => selected.has(r.telegramId)).map((r) => r.telegramId);
  const isAll = chosen.length === rows.length && rows.length > 0;
  const selectAll = (on: boolean) => setSelected(on ? new Set(rows.map((r) => r.telegramId)) : new Set());
  const toggle = (telegramId: number, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(telegramId);
      else next.delete(telegramId);
      return next;
    });

  const apply = async (change: BulkChange) => {
    try {
      const result = await bulk.mutateAsync({ telegramIds: chosen, change });
      if (result.failed.length > 0) {
        const first = result.failed[0]!;
        toast.error(t("bulk.failed", { count: result.failed.length, user: first.telegramId, reason: renderText(t, first.error) ?? "" }));
      }
      if (result.changed > 0) toast.success(t("bulk.done", { count: result.changed }));
      if (result.pendingOnPanels > 0) toast.warning(t("userActions.panelsLater"));
      setSelected(new Set());
      router.refresh();
    } catch (error) {
      toast.error(errorMessageOf(error, t));
      throw error;
    }
  };
  const confirmBulk = () => {
    if (pending !== "extend") return apply({ action: pending! } as BulkChange);
    const value = Number(days);
    if (!Number.isInteger(value) || value < 1 || value > 3650) {
      setDaysError(t("planForm.days"));
      return Promise.reject(new Error(t("planForm.days")));
    }
    return apply({ action: "extend", days: value });
  };

  return (
    <>
      {canManage && chosen.length > 0 ? (
        <div role="toolbar" aria-label={t("bulk.toolbar")} className="flex flex-wrap items-center gap-2 border-b bg-muted/40 px-4 py-2">
          <span className="mr-2 text-sm font-medium">{t("bulk.selected", { count: chosen.length })}</span>
          <Button size="sm" variant="outline" onClick={() => setPending("enable")}>
            {t("userActions.switchOn")}
          </Button>
          <Button size="sm" variant="outline" onClick={() => setPending("disable")}>
            {t("userActions.switchOff")}
          </Button>
          <Button
            size="sm"
            variant="outline"
            onClick={() => {
              setDays("30");
              setDaysError(undefined);
              setPending("extend");
            }}
          >
            {t("userActions.extend")}
          </Button>
          <Button size="sm" variant="outline" onClick={() => setPending("resetTraffic")}>
            {t("userActions.resetTraffic")}
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setSelected(new Set())}>
            {t("common.clear")}
          </Button>
        </div>
      ) : null}
      {canManage ? (
        // On phones the table is a list of cards and its header is hidden: select-all goes above them.
        <label className="flex items-center gap-2 border-b px-3 py-2 text-sm sm:hidden">
          <Checkbox checked={isAll} onChange={(e) => selectAll(e.target.checked)} />
          {t("bulk.selectAll")}
        </label>
      ) : null}
      <Table aria-label={t("nav.users")} stacked>
        <TableHeader>
          <TableRow>
            {canManage ? (
              <TableHead className="w-px">
                {/* Not on phones: a hidden header must not hold a control the keyboard reaches unseen. */}
                <Checkbox aria-label={t("bulk.selectAll")} checked={isAll} onChange={(e) => selectAll(e.target.checked)} className="max-sm:hidden" />
              </TableHead>
            ) : null}
            <TableHead>{t("users.col.user")}</TableHead>
            <TableHead>{t("users.col.status")}</TableHead>
            <TableHead>{t("users.col.usage")}</TableHead>
            <TableHead>{t("users.col.expires")}</TableHead>
            <TableHead>{t("common.node")}</TableHead>
            <TableHead>{t("users.col.key")}</TableHead>
            <TableHead className="w-px">
              <span className="sr-only">{t("common.actions")}</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((user) => {
            const who = user.username ? `@${user.username}` : String(user.telegramId);
            return (
              <TableRow key={user.id} data-testid={`user-row-${user.telegramId}`} data-state={selected.has(user.telegramId) ? "selected" : undefined}>
                {canManage ? (
                  <TableCell data-cell="select" className="max-sm:p-0">
                    <Checkbox
                      aria-label={t("bulk.select", { user: who })}
                      checked={selected.has(user.telegramId)}
                      onChange={(e) => toggle(user.telegramId, e.target.checked)}
                    />
                  </TableCell>
                ) : null}
                <TableCell data-cell="title" className={canManage ? "max-sm:pl-9" : undefined}>
                  <Link href={`/users/${user.telegramId}`} className="font-mono text-xs hover:underline">
                    {user.telegramId}
                  </Link>
                  <div className="text-xs text-muted-foreground">{user.username ? `@${user.username}` : t("users.noUsername")}</div>
                </TableCell>
                <TableCell data-label={t("users.col.status")}>
                  <AccessBadge status={user.status} />
                </TableCell>
                <TableCell data-label={t("users.col.usage")}>
                  <UsageMeter usedBytes={user.usage.usedBytes} limitBytes={user.plan.trafficLimitBytes} label={t("users.usageOf", { user: who })} />
                </TableCell>
                <TableCell data-label={t("users.col.expires")} className="text-xs">
                  {user.plan.expiresAt ? formatDate(locale, user.plan.expiresAt) : <span className="text-muted-foreground">{t("common.never")}</span>}
                </TableCell>
                <TableCell data-label={t("common.node")}>
                  {user.node ? (
                    <div className="grid gap-1">
                      <Link href={`/nodes/${user.node.id}`} className="font-medium hover:underline">
                        {user.node.name}
                      </Link>
                      <HealthBadge state={user.node.healthState as HealthState} />
                    </div>
                  ) : (
                    <span className="text-muted-foreground">{t("users.noKey")}</span>
                  )}
                </TableCell>
                <TableCell data-label={t("users.col.key")}>
                  {user.assignment ? (
                    <Badge variant="outline">{user.assignment.hasKey ? t("users.keyIssued") : labelOf(t, "assignmentState", user.assignment.state)}</Badge>
                  ) : (
                    <span className="text-muted-foreground">—</span>
                  )}
                </TableCell>
                {/* Not nowrap like other cells: the dialogs opened from here inherit white-space. */}
                <TableCell data-cell="actions" className="whitespace-normal">
                  <UserActions user={user} canManage={canManage} />
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <ConfirmDialog
        open={pending !== null}
        onOpenChange={(open) => !open && setPending(null)}
        variant={pending === "disable" ? "destructive" : "default"}
        title={pending ? t(`bulk.title.${pending}`, { count: chosen.length }) : ""}
        description={pending ? t(`bulk.description.${pending}`) : ""}
        confirmLabel={t("common.confirm")}
        onConfirm={confirmBulk}
      >
        {pending === "extend" ? (
          <FormField label={t("userActions.extendDays")} error={daysError}>
            <Input inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} className="w-32" />
          </FormField>
        ) : null}
      </ConfirmDialog>
    </>
  );
}
