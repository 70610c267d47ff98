"use client";

import { formatValue } from "@/components/charts/format";
import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { Progress } from "@/components/ui/progress";

/** A user's traffic this period against their fleet-wide quota (a bar only when there is one). */
export function UsageMeter({ usedBytes, limitBytes, label }: { usedBytes: number; limitBytes: number | null; label: string }) {
  const t = useT();
  const locale = useLocale();
  return (
    <div className="grid min-w-32 gap-1">
      <span className="text-xs tabular-nums">
        {limitBytes === null
          ? t("usage.unlimited", { used: formatValue(usedBytes, locale, "bytes") })
          : t("usage.ofLimit", { used: formatValue(usedBytes, locale, "bytes"), limit: formatValue(limitBytes, locale, "bytes") })}
      </span>
      {limitBytes === null ? null : <Progress value={usedBytes} max={limitBytes} tone="load" label={label} />}
    </div>
  );
}
