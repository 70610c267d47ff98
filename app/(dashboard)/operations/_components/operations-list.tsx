"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { WorkflowIcon } from "lucide-react";
import Link from "next/link";
import { useTRPC } from "@/app/_trpc/react";
import type { RouterOutputs } from "@/app/(dashboard)/_components/router-outputs";
import { formatDateTime } from "@/components/i18n/format";
import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { renderText } from "@/components/i18n/message-ref";
import { labelOf } from "@/components/i18n/translate";
import { OperationProgress, OperationStatusBadge } from "@/components/operations/operation-badges";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

type Page = RouterOutputs["operations"]["list"];
type Operation = Page["items"][number];
const PAGE_SIZE = 25;

/** The operations log, newest first; running operations refresh every few seconds. */
export function OperationsList({ initial }: { initial: Page }) {
  const trpc = useTRPC();
  const t = useT();
  const locale = useLocale();
  // The "Why": how it ended when it went wrong, else why it runs; codes rendered, older rows as written.
  const whyOf = (op: Operation) => renderText(t, op.errorRef, op.error) ?? renderText(t, op.reasonRef, op.reason);
  const query = useInfiniteQuery(
    trpc.operations.list.infiniteQueryOptions(
      { limit: PAGE_SIZE },
      {
        getNextPageParam: (last) => last.nextCursor ?? undefined,
        initialData: { pages: [initial], pageParams: [null] },
        refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((o) => o.status === "running" || o.status === "pending")) ? 3_000 : 15_000),
      },
    ),
  );
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  if (items.length === 0) {
    return (
      <EmptyState
        icon={WorkflowIcon}
        title={t("operations.empty.title")}
        description={t("operations.empty.description")}
      />
    );
  }
  return (
    <Card className="gap-0 py-0">
      <Table aria-label={t("nav.operations")} stacked>
        <TableHeader>
          <TableRow>
            <TableHead>{t("operations.col.started")}</TableHead>
            <TableHead>{t("operations.col.kind")}</TableHead>
            <TableHead>{t("common.node")}</TableHead>
            <TableHead>{t("operations.col.status")}</TableHead>
            <TableHead>{t("operations.col.progress")}</TableHead>
            <TableHead>{t("operations.col.why")}</TableHead>
            <TableHead>{t("operations.col.by")}</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {items.map((op) => (
            <TableRow key={op.id} data-testid={`operation-${op.kind}`}>
              <TableCell data-label={t("operations.col.started")} className="text-xs tabular-nums">
                <Link href={`/operations/${op.id}`} className="hover:underline" suppressHydrationWarning>
                  {formatDateTime(locale, op.createdAt)}
                </Link>
              </TableCell>
              <TableCell data-label={t("operations.col.kind")}>
                <Badge variant="outline">{labelOf(t, "operationKind", op.kind)}</Badge>
              </TableCell>
              <TableCell data-label={t("common.node")}>{op.nodeId && op.nodeName ? <Link href={`/nodes/${op.nodeId}`} className="hover:underline">{op.nodeName}</Link> : "—"}</TableCell>
              <TableCell data-label={t("operations.col.status")}>
                <OperationStatusBadge status={op.status} />
              </TableCell>
              <TableCell data-label={t("operations.col.progress")} data-cell="wide">
                <OperationProgress total={op.total} succeeded={op.succeeded} failed={op.failed} label={t("operations.progressOf", { kind: labelOf(t, "operationKind", op.kind) })} />
              </TableCell>
              {/* Whole on phones: there is no pointer to hover for the title. */}
              <TableCell data-label={t("operations.col.why")} data-cell="wide" className="max-w-72 truncate text-xs max-sm:max-w-none" title={whyOf(op) ?? undefined}>
                {whyOf(op) ?? "—"}
              </TableCell>
              <TableCell data-label={t("operations.col.by")} className="text-xs">{labelOf(t, "startedBy", op.startedBy)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {query.hasNextPage ? (
        <div className="border-t px-4 py-3 text-center">
          <Button variant="outline" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {t("operations.loadOlder")}
          </Button>
        </div>
      ) : null}
    </Card>
  );
}
