"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ScaleIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/app/_trpc/react";
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
      <CardHeader>
        <CardTitle>Rebalance</CardTitle>
        <CardDescription>Even out load by the balancer&apos;s score. Plan first — nothing moves until the plan is executed.</CardDescription>
        <CardAction className="flex items-end gap-2">
          <FormField label="Max moves" className="w-28">
            <Input inputMode="numeric" value={maxMoves} onChange={(e) => setMaxMoves(Math.min(5000, Math.max(1, Number(e.target.value) || 1)))} />
          </FormField>
          <Button variant="outline" onClick={() => void plan.refetch()} disabled={plan.isFetching} className="mb-px">
            <ScaleIcon aria-hidden /> Plan
          </Button>
        </CardAction>
      </CardHeader>
      <CardContent className="grid gap-3">
        {plan.isFetching && !plan.data ? (
          <Skeleton className="h-24 w-full" />
        ) : !plan.data ? (
          <p className="text-sm text-muted-foreground">Plan a rebalance to see which nodes would give and take users.</p>
        ) : moves === 0 ? (
          <p className="text-sm" data-testid="rebalance-plan">The fleet is balanced: no move would narrow the gap enough to be worth it.</p>
        ) : (
          <>
            <p className="text-sm" data-testid="rebalance-plan">
              {moves} user{moves === 1 ? "" : "s"} would move between {changed.length} nodes.
            </p>
            <Table aria-label="Rebalance plan">
              <TableHeader>
                <TableRow>
                  <TableHead>Node</TableHead>
                  <TableHead className="text-right">Users before → after</TableHead>
                  <TableHead className="text-right">Score before → after</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {changed.map((n) => (
                  <TableRow key={n.nodeId}>
                    <TableCell className="font-medium">{n.name}</TableCell>
                    <TableCell className="text-right tabular-nums">
                      {n.usersBefore} → {n.usersAfter}
                    </TableCell>
                    <TableCell className="text-right font-mono text-xs tabular-nums">
                      {n.scoreBefore.toFixed(3)} → {n.scoreAfter.toFixed(3)}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {canManage ? (
              <div className="flex justify-end">
                <Button onClick={() => setIsConfirming(true)}>Execute plan</Button>
              </div>
            ) : null}
          </>
        )}
      </CardContent>
      <ConfirmDialog
        open={isConfirming}
        onOpenChange={setIsConfirming}
        title={`Move ${moves} user${moves === 1 ? "" : "s"}?`}
        description="Each user gets a client on the target node before the old one is removed; their subscription URL keeps working. The moves run in batches with the cron and show up below with their outcomes. The plan is recomputed when executed, so it reflects the fleet at that moment."
        confirmLabel="Execute"
        onConfirm={async () => {
          try {
            const result = await execute.mutateAsync({ maxMoves });
            toast.success(result.operationId ? `Rebalance started: ${result.plan.moves.length} moves` : "Nothing to move any more");
          } catch (error) {
            toast.error((error as Error).message);
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
