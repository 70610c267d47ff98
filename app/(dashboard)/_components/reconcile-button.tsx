"use client";

import { useMutation } from "@tanstack/react-query";
import { Loader2Icon, RefreshCwIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/app/_trpc/react";
import type { RouterOutputs } from "@/app/(dashboard)/_components/router-outputs";
import { useT } from "@/components/i18n/i18n-provider";
import { renderText, type MessageRef } from "@/components/i18n/message-ref";
import { labelOf } from "@/components/i18n/translate";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

type Report = RouterOutputs["reconcile"]["run"];
type NodeReport = Report["nodes"][number] & { errorRef?: MessageRef | null };

/**
 * "Reconcile now": compares one node (or every node) with its panel at once instead of waiting for
 * the cron — missing clients re-created, strays deleted, drifted ones repaired, the capacity count
 * checked — and shows what it did, node by node.
 */
export function ReconcileButton({ nodeId }: { nodeId?: string }) {
  const trpc = useTRPC();
  const t = useT();
  const router = useRouter();
  const [report, setReport] = useState<Report | null>(null);
  const run = useMutation(
    trpc.reconcile.run.mutationOptions({
      onSuccess: (result) => {
        setReport(result);
        router.refresh();
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  return (
    <>
      <Button variant="outline" onClick={() => run.mutate(nodeId ? { nodeId } : {})} disabled={run.isPending}>
        {run.isPending ? <Loader2Icon aria-hidden className="animate-spin" /> : <RefreshCwIcon aria-hidden />}
        {t(nodeId ? "reconcile.node" : "reconcile.fleet")}
      </Button>
      <Dialog open={report !== null} onOpenChange={(open) => (open ? null : setReport(null))}>
        <DialogContent className="sm:max-w-2xl">
          <DialogHeader>
            <DialogTitle>{t("reconcile.title")}</DialogTitle>
            <DialogDescription>{t("reconcile.description")}</DialogDescription>
          </DialogHeader>
          {report ? <ReconcileReport report={report} /> : null}
        </DialogContent>
      </Dialog>
    </>
  );
}

function ReconcileReport({ report }: { report: Report }) {
  const t = useT();
  if (report.nodes.length === 0) {
    return <p className="text-sm text-muted-foreground">{t("reconcile.none")}</p>;
  }
  return (
    <div className="grid gap-3" data-testid="reconcile-report">
      <Table aria-label={t("reconcile.title")} stacked>
        <TableHeader>
          <TableRow>
            <TableHead>{t("common.node")}</TableHead>
            <TableHead>{t("reconcile.col.result")}</TableHead>
            <TableHead>{t("reconcile.col.done")}</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {report.nodes.map((node: NodeReport) => {
            const failed = node.actions.filter((a) => !a.ok).length;
            const byKind = new Map<string, number>();
            for (const action of node.actions.filter((a) => a.ok)) byKind.set(action.kind, (byKind.get(action.kind) ?? 0) + 1);
            const isRecounted = node.reservedCount.before !== node.reservedCount.after;
            return (
              <TableRow key={node.nodeId} className="align-top">
                <TableCell data-label={t("common.node")} className="font-medium">
                  {node.nodeName}
                </TableCell>
                <TableCell data-label={t("reconcile.col.result")}>
                  {node.error ? (
                    <span className="text-sm text-destructive">{t("reconcile.unreadable", { reason: renderText(t, node.errorRef, node.error) ?? "" })}</span>
                  ) : node.clean ? (
                    <Badge variant="success" dot>
                      {t("reconcile.clean")}
                    </Badge>
                  ) : (
                    <Badge variant="warning" dot>
                      {t("reconcile.unfinished")}
                    </Badge>
                  )}
                </TableCell>
                <TableCell data-label={t("reconcile.col.done")} data-cell="wide" className="text-sm">
                  <ul className="grid gap-0.5">
                    {[...byKind].map(([kind, count]) => (
                      <li key={kind}>{t("reconcile.action", { count, action: labelOf(t, "reconcileAction", kind) })}</li>
                    ))}
                    {failed ? <li className="text-destructive">{t("reconcile.failed", { count: failed })}</li> : null}
                    {node.deferred ? <li className="text-muted-foreground">{t("reconcile.deferred", { count: node.deferred })}</li> : null}
                    {isRecounted ? <li>{t("reconcile.recounted", { before: node.reservedCount.before, after: node.reservedCount.after })}</li> : null}
                    {byKind.size === 0 && !failed && !node.deferred && !isRecounted && !node.error ? <li className="text-muted-foreground">{t("reconcile.nothing")}</li> : null}
                  </ul>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {report.skipped ? <p className="text-sm text-muted-foreground">{t("reconcile.skipped", { count: report.skipped })}</p> : null}
    </div>
  );
}
