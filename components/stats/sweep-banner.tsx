"use client";

import { TriangleAlertIcon } from "lucide-react";
import { Fragment, type ReactNode } from "react";

import { formatDateTime, formatNumber } from "@/components/i18n/format";
import { useLocale, useT } from "@/components/i18n/i18n-provider";

const CODE_CLASS = "rounded bg-muted px-1 font-mono text-xs";

/** Fills the `{name}` placeholders of a translated message with elements (t() only fills in text). */
function withElements(message: string, elements: Record<string, ReactNode>): ReactNode[] {
  return message.split(/(\{\w+\})/).map((part, index) => {
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    return <Fragment key={index}>{name !== undefined && name in elements ? elements[name] : part}</Fragment>;
  });
}

/** Shown when no health sweep started for 3× the interval: node health on screen is stale. */
function SweepBanner({ lastAt, intervalSeconds }: { lastAt: Date | null; intervalSeconds: number }) {
  const t = useT();
  const locale = useLocale();
  return (
    <div
      role="alert"
      data-testid="sweep-banner"
      className="flex gap-3 rounded-xl border border-warning/40 bg-warning/10 px-4 py-3 text-sm"
    >
      <TriangleAlertIcon aria-hidden className="mt-0.5 size-4 shrink-0 text-[color-mix(in_oklch,var(--warning)_70%,var(--foreground))]" />
      <div className="space-y-1">
        <p className="font-medium">
          {lastAt
            ? withElements(t("sweepBanner.staleSince"), {
                time: (
                  <time suppressHydrationWarning dateTime={lastAt.toISOString()}>
                    {formatDateTime(locale, lastAt)}
                  </time>
                ),
              })
            : t("sweepBanner.neverRan")}
        </p>
        <p className="text-muted-foreground">
          {withElements(t("sweepBanner.howToFix"), {
            route: <code className={CODE_CLASS}>GET /api/cron/health</code>,
            header: <code className={CODE_CLASS}>Authorization: Bearer $CRON_SECRET</code>,
            seconds: formatNumber(locale, intervalSeconds),
            env: <code className={CODE_CLASS}>INTERNAL_CRON_SECONDS=30</code>,
          })}
        </p>
      </div>
    </div>
  );
}

export { SweepBanner };
