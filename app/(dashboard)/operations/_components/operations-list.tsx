"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { WorkflowIcon } from "lucide-react";
import Link from "next/link";
import { useTRPC } from "@/app/_trpc/react";
import type { RouterOutputs } from "@/app/(dashboard)/_components/router-outputs";
import { OperationProgress, OperationStatusBadge } from "@/components/operations/operation-badges";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

type Page = RouterOutputs["operations"]["list"];
const PAGE_SIZE = 25;

/** The operations log, newest first; running operations refresh every few seconds. */
export function OperationsList({ initial }: { initial: Page }) {
  const trpc = useTRPC();
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
        title="No operations yet"
        description="Failovers, drains, rebalances and manual moves appear here with their progress. Drain a node or plan a rebalance above to start one."
      />
    );
  }
  return (
    <Card className="gap-0 py-0">
      <Table aria-label="Operations">
        <TableHeader>
          <TableRow>
            <TableHead>Started</TableHead>
            <TableHead>Kind</TableHead>
            <TableHead>Node</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>Progress</TableHead>
            <TableHead>Why</TableHead>
            <TableHead>By</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {items.map((op) => (
            <TableRow key={op.id} data-testid={`operation-${op.kind}`}>
              <TableCell className="text-xs tabular-nums">
                <Link href={`/operations/${op.id}`} className="hover:underline" suppressHydrationWarning>
                  {op.createdAt.toLocaleString()}
                </Link>
              </TableCell>
              <TableCell>
                <Badge variant="outline">{op.kind}</Badge>
              </TableCell>
              <TableCell>{op.nodeId && op.nodeName ? <Link href={`/nodes/${op.nodeId}`} className="hover:underline">{op.nodeName}</Link> : "—"}</TableCell>
              <TableCell>
                <OperationStatusBadge status={op.status} />
              </TableCell>
              <TableCell>
                <OperationProgress total={op.total} succeeded={op.succeeded} failed={op.failed} label={`Progress of ${op.kind}`} />
              </TableCell>
              <TableCell className="max-w-72 truncate text-xs" title={op.error ?? op.reason ?? undefined}>
                {op.error ?? op.reason ?? "—"}
              </TableCell>
              <TableCell className="text-xs">{op.startedBy}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {query.hasNextPage ? (
        <div className="border-t px-4 py-3 text-center">
          <Button variant="outline" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            Load older operations
          </Button>
        </div>
      ) : null}
    </Card>
  );
}
