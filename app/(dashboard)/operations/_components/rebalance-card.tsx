"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ScaleIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { errorMessageOf } from "@/app/_trpc/errors";
import { useTRPC } from "@/app/_trpc/react";
import { STACKED_CARD_ACTION, STACKED_CARD_HEADER } from "@/app/(dashboard)/_components/layout-classes";
import { useT } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

/** Rebalance: a dry-run plan (moves from the most to the least loaded nodes, capped), then execute it as an operation. */
export function RebalanceCard({ canManage }: { canManage: boolean }) {
  const trpc = useTRPC();
  const t = useT();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [maxMoves, setMaxMoves] = useState(100);
  const [isConfirming, setIsConfirming] = useState(false);
  const plan = useQuery(trpc.operations.rebalancePlan.queryOptions({ maxMoves }, { enabled: false, staleTime: 0 }));
  const execute = useMutation(trpc.operations.rebalanceExecute.mutationOptions());
  const moves = plan.data?.moves.length ?? 0;
  const changed = plan.data?.nodes.filter((n) => n.usersAfter !== n.usersBefore) ?? [];

  return (
    <Card>
      <CardHeader className={STACKED_CARD_HEADER}>
        <CardTitle>{t("rebalance.title")}</CardTitle>
        <CardDescription>{t("rebalance.description")}</CardDescription>
        <CardAction className={`flex items-end gap-2 ${STACKED_CARD_ACTION}`}>
          <FormField label={t("rebalance.maxMoves")} className="w-36">
            <Input inputMode="numeric" value={maxMoves} onChange={(e) => setMaxMoves(Math.min(5000, Math.max(1, Number(e.target.value) || 1)))} />
          </FormField>
          <Button variant="outline" onClick={() => void plan.refetch()} disabled={plan.isFetching} className="mb-px">
            <ScaleIcon aria-hidden /> {t("rebalance.plan")}
          </Button>
        </CardAction>
      </CardHeader>
      <CardContent className="grid gap-3">
        {plan.isFetching && !plan.data ? (
          <Skeleton className="h-24 w-full" />
        ) : !plan.data ? (
          <p className="text-sm text-muted-foreground">{t("rebalance.prompt")}</p>
        ) : moves === 0 ? (
          <p className="text-sm" data-testid="rebalance-plan">
            {t("rebalance.balanced")}
          </p>
        ) : (
          <>
            <p className="text-sm" data-testid="rebalance-plan">
              {t("rebalance.summary", { count: moves, nodes: t("rebalance.nodes", { count: changed.length }) })}
            </p>
            <Table aria-label={t("rebalance.tableLabel")} stacked>
              <TableHeader>
                <TableRow>
                  <TableHead>{t("common.node")}</TableHead>
                  <TableHead className="text-right">{t("rebalance.usersBeforeAfter")}</TableHead>
                  <TableHead className="text-right">{t("rebalance.scoreBeforeAfter")}</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {changed.map((n) => (
                  <TableRow key={n.nodeId}>
                    <TableCell data-label={t("common.node")} className="font-medium">
                      {n.name}
                    </TableCell>
                    <TableCell data-label={t("rebalance.usersBeforeAfter")} className="text-right tabular-nums max-sm:text-left">
                      {n.usersBefore} → {n.usersAfter}
                    </TableCell>
                    <TableCell data-label={t("rebalance.scoreBeforeAfter")} className="text-right font-mono text-xs tabular-nums max-sm:text-left">
                      {n.scoreBefore.toFixed(3)} → {n.scoreAfter.toFixed(3)}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {canManage ? (
              <div className="flex justify-end">
                <Button onClick={() => setIsConfirming(true)}>{t("rebalance.execute")}</Button>
              </div>
            ) : null}
          </>
        )}
      </CardContent>
      <ConfirmDialog
        open={isConfirming}
        onOpenChange={setIsConfirming}
        title={t("rebalance.confirmTitle", { count: moves })}
        description={t("rebalance.confirmDescription")}
        confirmLabel={t("rebalance.confirm")}
        onConfirm={async () => {
          try {
            const result = await execute.mutateAsync({ maxMoves });
            toast.success(result.operationId ? t("rebalance.startedToast", { count: result.plan.moves.length }) : t("rebalance.nothingToast"));
          } catch (error) {
            toast.error(errorMessageOf(error, t));
            throw error;
          }
          void queryClient.invalidateQueries({ queryKey: trpc.operations.list.pathKey() });
          void plan.refetch();
          router.refresh();
        }}
      />
    </Card>
  );
}
