"use client";

import { useQuery } from "@tanstack/react-query";
import { SkullIcon } from "lucide-react";
import Link from "next/link";
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
              <Table aria-label={t("whatIf.tableLabel")} stacked>
                <TableHeader>
                  <TableRow>
                    <TableHead>{t("whatIf.targetNode")}</TableHead>
                    <TableHead className="text-right">{t("common.users")}</TableHead>
                    <TableHead className="text-right">{t("whatIf.loadAfter")}</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {data.byTarget.map((target) => (
                    <TableRow key={target.nodeId}>
                      <TableCell data-label={t("whatIf.targetNode")} className="font-medium">
                        {target.name}
                      </TableCell>
                      <TableCell data-label={t("common.users")} className="text-right tabular-nums max-sm:text-left">
                        {target.users}
                      </TableCell>
                      <TableCell data-label={t("whatIf.loadAfter")} className="text-right tabular-nums max-sm:text-left">
                        {Math.round(target.loadAfter * 100)}%
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            ) : null}
            {data.unplaced.length ? (
              <UserList label={t("whatIf.unplacedList")} users={data.unplaced.map((u) => ({ telegramId: u.telegramId }))} />
            ) : null}
            {data.moves.length ? (
              <details className="text-sm">
                <summary className="cursor-pointer text-muted-foreground">{t("whatIf.movesList")}</summary>
                <UserList
                  label={t("whatIf.movesList")}
                  isLabelHidden
                  users={data.moves.map((m) => ({ telegramId: m.telegramId, target: data.byTarget.find((b) => b.nodeId === m.toNodeId)?.name }))}
                />
              </details>
            ) : null}
          </div>
        )}
      </CardContent>
    </Card>
  );
}

// Enough to act on by hand; a node's full list is one search away on the Users page.
const LIST_LIMIT = 100;

function UserList({ label, users, isLabelHidden = false }: { label: string; users: { telegramId: number; target?: string }[]; isLabelHidden?: boolean }) {
  const t = useT();
  return (
    <div className="grid gap-1.5 pt-1">
      <p className={isLabelHidden ? "sr-only" : "text-sm font-medium"}>{label}</p>
      <ul aria-label={label} className="flex flex-wrap gap-x-3 gap-y-1 text-sm">
        {users.slice(0, LIST_LIMIT).map((u) => (
          <li key={u.telegramId} className="tabular-nums">
            <Link href={`/users?q=${u.telegramId}`} className="underline-offset-2 hover:underline">
              {u.telegramId}
            </Link>
            {u.target ? <span className="text-muted-foreground"> → {u.target}</span> : null}
          </li>
        ))}
      </ul>
      {users.length > LIST_LIMIT ? <p className="text-xs text-muted-foreground">{t("whatIf.more", { count: users.length - LIST_LIMIT })}</p> : null}
    </div>
  );
}
