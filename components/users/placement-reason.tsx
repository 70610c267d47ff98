"use client";

import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { labelOf } from "@/components/i18n/translate";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

type PlacementReason = {
  strategy: "balancer" | "manual" | "migration" | "rebalance" | "adoption";
  location?: string | null;
  candidates: { nodeId: string; name: string; score: number; load: number; healthState: string }[];
  chosenNodeId: string;
  note?: string;
};

/** Why a user is on their node: the strategy, the candidates the balancer weighed, and its choice. */
function PlacementReasonView({ reason }: { reason: PlacementReason | null }) {
  const t = useT();
  const locale = useLocale();
  if (!reason) return <p className="text-sm text-muted-foreground">{t("placement.none")}</p>;
  const candidates = [...reason.candidates].sort((a, b) => a.score - b.score);
  const score = (value: number) =>
    value.toLocaleString(locale, { minimumFractionDigits: 4, maximumFractionDigits: 4, useGrouping: false });
  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-3 text-sm">
      <p>{t(`placement.strategy.${reason.strategy}`)}</p>
      {reason.location ? <p className="text-muted-foreground">{t("placement.location", { location: reason.location })}</p> : null}
      {/* Written by the server when it placed the user, so shown as recorded. */}
      {reason.note ? <p className="text-muted-foreground">{reason.note}</p> : null}
      {candidates.length ? (
        <Table aria-label={t("placement.tableLabel")} stacked>
          <TableHeader>
            <TableRow>
              <TableHead>{t("common.node")}</TableHead>
              <TableHead>{t("nodes.health")}</TableHead>
              <TableHead className="text-right">{t("nodes.col.load")}</TableHead>
              <TableHead className="text-right">{t("placement.score")}</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {candidates.map((c) => (
              <TableRow key={c.nodeId} data-state={c.nodeId === reason.chosenNodeId ? "selected" : undefined}>
                <TableCell data-label={t("common.node")} className="font-medium">
                  {c.name} {c.nodeId === reason.chosenNodeId ? <Badge variant="success">{t("placement.chosen")}</Badge> : null}
                </TableCell>
                <TableCell data-label={t("nodes.health")} className="text-xs">
                  {labelOf(t, "healthValue", c.healthState)}
                </TableCell>
                <TableCell data-label={t("nodes.col.load")} className="text-right tabular-nums max-sm:text-left">
                  {Math.round(c.load * 100)}%
                </TableCell>
                <TableCell data-label={t("placement.score")} className="text-right font-mono text-xs tabular-nums max-sm:text-left">
                  {score(c.score)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </div>
  );
}

export { PlacementReasonView, type PlacementReason };
