"use client";

import { formatNumber } from "@/components/i18n/format";
import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { Badge } from "@/components/ui/badge";
import { Progress } from "@/components/ui/progress";

type OperationStatus = "pending" | "running" | "succeeded" | "partial" | "failed" | "cancelled";
type ItemStatus = "pending" | "running" | "succeeded" | "failed" | "skipped";

const STATUS_VARIANT = {
  pending: "outline",
  running: "secondary",
  succeeded: "success",
  partial: "warning",
  failed: "destructive",
  cancelled: "outline",
  skipped: "warning",
} as const;

function OperationStatusBadge({ status }: { status: OperationStatus | ItemStatus }) {
  const t = useT();
  return (
    <Badge variant={STATUS_VARIANT[status]} dot={status !== "pending" && status !== "cancelled"}>
      {t(`operationStatus.${status}`)}
    </Badge>
  );
}

/** "37 / 100 · 2 failed" with a bar; finished items (either outcome) count as progress. */
function OperationProgress({ total, succeeded, failed, label }: { total: number; succeeded: number; failed: number; label: string }) {
  const t = useT();
  const locale = useLocale();
  const done = succeeded + failed;
  return (
    <div className="grid w-40 gap-1">
      <span className="text-xs tabular-nums">
        {formatNumber(locale, done)} / {formatNumber(locale, total)}
        {failed ? <span className="text-destructive"> · {t("operations.failedCount", { count: failed })}</span> : null}
      </span>
      <Progress value={done} max={Math.max(total, 1)} tone={failed ? "warning" : "success"} label={label} />
    </div>
  );
}

export { OperationStatusBadge, OperationProgress };
