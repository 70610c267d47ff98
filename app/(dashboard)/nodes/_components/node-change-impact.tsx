"use client";

import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { useTRPC } from "@/app/_trpc/react";
import type { RouterInputs, RouterOutputs } from "@/app/(dashboard)/_components/router-outputs";
import { formatValue } from "@/components/charts/format";
import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { labelOf } from "@/components/i18n/translate";
import { Skeleton } from "@/components/ui/skeleton";

export type NodeChange = RouterInputs["operations"]["previewNodeChange"]["change"];
type Preview = RouterOutputs["operations"]["previewNodeChange"];

/**
 * What a change of a node's state will do, read from the server's plan just before the admin
 * confirms: how many users move and to which nodes, who stays, what stops. The dialog keeps its
 * confirm button off until this has loaded, so nobody confirms without the numbers.
 */
export function useNodeChangePreview(nodeId: string, change: NodeChange | null) {
  const trpc = useTRPC();
  return useQuery(
    trpc.operations.previewNodeChange.queryOptions({ nodeId, change: change ?? "drain" }, { enabled: change !== null, staleTime: 0, gcTime: 0 }),
  );
}

/** How many users the change moves to another node (a drain's planned moves; nobody for the others). */
export function movingCount(preview: Preview | undefined): number {
  return (preview?.moves?.byTarget ?? []).reduce((sum, target) => sum + target.users, 0);
}

export function NodeChangeImpact({ preview, isError }: { preview: Preview | undefined; isError: boolean }) {
  const t = useT();
  const locale = useLocale();
  const listId = useId();
  if (isError) return <p className="text-sm text-destructive">{t("nodeChange.loadFailed")}</p>;
  if (!preview) {
    return (
      <div className="grid gap-2" aria-busy>
        <Skeleton className="h-4 w-3/4" />
        <Skeleton className="h-4 w-1/2" />
      </div>
    );
  }
  const node = preview.node.name;
  const count = preview.users;
  const lines: string[] = [];
  if (preview.change === "drain") {
    if (count === 0) lines.push(t("nodeChange.nobody", { node }));
    if (preview.moves && preview.moves.unplaced > 0) lines.push(t("nodeChange.unplaced", { node, count: preview.moves.unplaced }));
  } else if (preview.change === "disable") {
    lines.push(count === 0 ? t("nodeChange.nobody", { node }) : t("nodeChange.disable.stay", { node, count }));
  } else {
    const open = preview.openEvacuation;
    if (open) lines.push(t("nodeChange.return.stops", { node, kind: labelOf(t, "operationKind", open.kind), moved: open.moved, total: open.total, count }));
    else if (count > 0) lines.push(t(preview.change === "enable" ? "nodeChange.enable.users" : "nodeChange.return.users", { node, count }));
    if (preview.node.needsReconcile) lines.push(t("nodeChange.return.reconcile"));
  }
  const targets = preview.moves?.byTarget ?? [];

  return (
    <div className="grid gap-2 text-sm" data-testid="node-change-impact">
      {targets.length ? (
        <>
          <p id={listId} className="font-medium">
            {t("nodeChange.drain.moves", { count: movingCount(preview) })}
          </p>
          {/* A long list scrolls; focusable so a keyboard can scroll it too. */}
          <ul aria-labelledby={listId} tabIndex={0} className="grid max-h-48 gap-1 overflow-y-auto rounded-md border p-2 outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50">
            {targets.map((target) => (
              <li key={target.nodeId} className="flex items-baseline justify-between gap-3">
                <span className="truncate font-medium">{target.name}</span>
                <span className="shrink-0 text-muted-foreground tabular-nums">
                  {t("nodeChange.target", { count: target.users, load: formatValue(target.loadAfter * 100, locale, "percent") })}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {lines.map((line) => (
        <p key={line}>{line}</p>
      ))}
    </div>
  );
}
