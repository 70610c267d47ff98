"use client";

import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { cn } from "@/components/ui/cn";
import type { HealthState } from "@/components/ui/status-badge";

import { formatDateTime, formatTick } from "./format";

export type HealthSegment = {
  /** Epoch milliseconds; segments of a row are sorted and do not overlap. */
  from: number;
  to: number;
  state: HealthState;
};

export type HealthTimelineRow = {
  nodeId: string;
  node: string;
  segments: readonly HealthSegment[];
};

type HealthTimelineProps = {
  rows: readonly HealthTimelineRow[];
  /** The window shown; time not covered by a segment is drawn as "unknown". */
  from: number;
  to: number;
  className?: string;
};

const STATE_ORDER: readonly HealthState[] = ["healthy", "degraded", "unhealthy", "auth_error", "misconfigured", "unknown"];

const SEGMENT_CLASS: Record<HealthState, string> = {
  healthy: "bg-health-healthy",
  degraded: "bg-health-degraded",
  unhealthy: "bg-health-unhealthy",
  auth_error: "bg-health-auth-error",
  misconfigured: "bg-health-misconfigured",
  unknown: "bg-health-unknown",
};

// Start, middle and end: five 12-hour labels ("10:00 PM") overlap in a half-width card at laptop size.
const TICK_COUNT = 3;

/*
 * Up/down bands per node over time, drawn as positioned HTML segments rather than a chart:
 * it scales to any width and each band stays a plain element with a title. Screen readers
 * get one summary per row ("de-1: Healthy 97%, Unhealthy 3%").
 * Times depend on the browser's time zone, so their text is exempt from hydration checks.
 */
function HealthTimeline({ rows, from, to, className }: HealthTimelineProps) {
  const t = useT();
  const locale = useLocale();
  const span = Math.max(to - from, 1);
  const percent = (value: number) => `${((Math.min(Math.max(value, from), to) - from) / span) * 100}%`;
  const ticks = Array.from({ length: TICK_COUNT }, (_, index) => from + (span * index) / (TICK_COUNT - 1));

  const summarize = (segments: readonly HealthSegment[]) => {
    const share = new Map<HealthState, number>();
    for (const { from: start, to: end, state } of segments) {
      const covered = Math.max(Math.min(end, to) - Math.max(start, from), 0);
      share.set(state, (share.get(state) ?? 0) + covered);
    }
    const known = [...share.values()].reduce((sum, value) => sum + value, 0);
    share.set("unknown", (share.get("unknown") ?? 0) + Math.max(span - known, 0));
    return STATE_ORDER.filter((state) => (share.get(state) ?? 0) > 0)
      .map((state) => `${t(`health.${state}`)} ${Math.round(((share.get(state) ?? 0) / span) * 100)}%`)
      .join(", ");
  };

  if (rows.length === 0) {
    return (
      <div className="flex h-32 items-center justify-center rounded-lg border border-dashed text-sm text-muted-foreground">
        {t("chart.noData")}
      </div>
    );
  }

  return (
    <div data-slot="health-timeline" className={cn("grid gap-2 text-xs", className)}>
      <ul className="grid gap-1.5">
        {rows.map(({ nodeId, node, segments }) => (
          <li key={nodeId} className="grid grid-cols-[minmax(0,8rem)_1fr] items-center gap-3">
            <span className="truncate font-medium" title={node}>
              {node}
            </span>
            <div
              role="img"
              aria-label={t("chart.timelineLabel", { node, summary: summarize(segments) })}
              className="relative h-5 overflow-hidden rounded-[4px] bg-health-unknown/35"
            >
              {segments.map(({ from: start, to: end, state }) => (
                <span
                  key={`${start}-${state}`}
                  suppressHydrationWarning
                  title={`${t(`health.${state}`)} · ${formatDateTime(start, locale)} – ${formatDateTime(end, locale)}`}
                  className={cn("absolute inset-y-0", SEGMENT_CLASS[state])}
                  style={{
                    left: percent(start),
                    width: `calc(${percent(end)} - ${percent(start)})`,
                  }}
                />
              ))}
            </div>
          </li>
        ))}
      </ul>
      <div aria-hidden className="grid grid-cols-[minmax(0,8rem)_1fr] gap-3 text-muted-foreground">
        <span />
        <div className="relative h-4">
          {ticks.map((tick, index) => (
            <span
              key={tick}
              suppressHydrationWarning
              className={cn(
                "absolute top-0 tabular-nums whitespace-nowrap",
                index === 0 ? "left-0" : index === TICK_COUNT - 1 ? "right-0" : "-translate-x-1/2",
              )}
              style={index === 0 || index === TICK_COUNT - 1 ? undefined : { left: percent(tick) }}
            >
              {formatTick(tick, span, locale)}
            </span>
          ))}
        </div>
      </div>
      <ul className="flex flex-wrap items-center justify-center gap-x-4 gap-y-1.5 pt-1">
        {STATE_ORDER.map((state) => (
          <li key={state} className="flex items-center gap-1.5 text-muted-foreground">
            <span aria-hidden className={cn("size-2.5 rounded-[2px]", SEGMENT_CLASS[state])} />
            {t(`health.${state}`)}
          </li>
        ))}
      </ul>
    </div>
  );
}

export { HealthTimeline, type HealthTimelineProps };
