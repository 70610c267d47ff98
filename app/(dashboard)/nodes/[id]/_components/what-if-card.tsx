"use client";

import { useQuery } from "@tanstack/react-query";
import { SkullIcon } from "lucide-react";
import { useTRPC } from "@/app/_trpc/react";
import { STACKED_CARD_ACTION, STACKED_CARD_HEADER } from "@/app/(dashboard)/_components/layout-classes";
import { useT } from "@/components/i18n/i18n-provider";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

/** "What if this node dies now?": who would move where, and who would fit nowhere. Writes nothing. */
export function WhatIfCard({ nodeId, nodeName }: { nodeId: string; nodeName: string }) {
  const trpc = useTRPC();
  const t = useT();
  const simulation = useQuery(trpc.operations.simulateNodeLoss.queryOptions({ nodeId }, { enabled: false, staleTime: 0 }));
  const data = simulation.data;
  return (
    <Card>
      <CardHeader className={STACKED_CARD_HEADER}>
        <CardTitle>{t("whatIf.title", { node: nodeName })}</CardTitle>
        <CardDescription>{t("whatIf.description")}</CardDescription>
        <CardAction className={STACKED_CARD_ACTION}>
          <Button variant="outline" onClick={() => void simulation.refetch()} disabled={simulation.isFetching}>
            <SkullIcon aria-hidden /> {t(data ? "whatIf.runAgain" : "whatIf.simulate")}
          </Button>
        </CardAction>
      </CardHeader>
      <CardContent>
        {simulation.isFetching && !data ? (
          <Skeleton className="h-24 w-full" />
        ) : !data ? (
          <p className="text-sm text-muted-foreground">{t("whatIf.prompt")}</p>
        ) : data.users === 0 ? (
          <p className="text-sm" data-testid="what-if-result">
            {t("whatIf.nobody")}
          </p>
        ) : (
          <div className="grid gap-3" data-testid="what-if-result">
            <p className="text-sm">
              {t("whatIf.wouldMove", { count: data.users })}
              {data.unplaced.length ? (
                <>
                  {" "}
                  — <Badge variant="destructive">{t("whatIf.unplaced", { count: data.unplaced.length })}</Badge> {t("whatIf.unplacedNote")}
                </>
              ) : (
                t("whatIf.allFit")
              )}
            </p>
            {data.byTarget.length ? (
              <Table aria-label={t("whatIf.tableLabel")}>
                <TableHeader>
                  <TableRow>
                    <TableHead>{t("whatIf.targetNode")}</TableHead>
                    <TableHead className="text-right">{t("common.users")}</TableHead>
                    <TableHead className="text-right">{t("whatIf.loadAfter")}</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {data.byTarget.map((t) => (
                    <TableRow key={t.nodeId}>
                      <TableCell className="font-medium">{t.name}</TableCell>
                      <TableCell className="text-right tabular-nums">{t.users}</TableCell>
                      <TableCell className="text-right tabular-nums">{Math.round(t.loadAfter * 100)}%</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            ) : null}
          </div>
        )}
      </CardContent>
    </Card>
  );
}
