"use client";

import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { cn } from "@/components/ui/cn";
import type { HealthState } from "@/components/ui/status-badge";

import { formatDateTime } from "./format";
import { nodeColor } from "./node-color";
import { useTimeAxis } from "./use-time-axis";

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

/*
 * Up/down bands per node over time, drawn as positioned HTML segments rather than a chart:
 * it scales to any width and each band stays a plain element with a title. Screen readers
 * get one summary per row ("de-1: Healthy 97%, Unhealthy 3%"). Its time axis is the one the
 * charts use (useTimeAxis): under a chart of the same window and width, the bands, the ticks
 * and the plot edges line up with the chart's. The swatch by each name is the node's colour on
 * every chart.
 */
function HealthTimeline({ rows, from, to, className }: HealthTimelineProps) {
  const t = useT();
  const locale = useLocale();
  const [axisRef, axis] = useTimeAxis(from, to);
  const span = Math.max(to - from, 1);
  const percent = (value: number) => `${((Math.min(Math.max(value, from), to) - from) / span) * 100}%`;
  const columns = { gridTemplateColumns: `${axis.gutter}px minmax(0, 1fr)`, paddingRight: axis.right };

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
    <div ref={axisRef} data-slot="health-timeline" className={cn("grid gap-2 text-xs", className)}>
      <ul className="grid gap-1.5">
        {rows.map(({ nodeId, node, segments }) => (
          <li key={nodeId} className="grid items-center" style={columns}>
            <span className="flex min-w-0 items-center gap-1.5 pr-3" title={node}>
              <span aria-hidden className="size-2.5 shrink-0 rounded-[2px]" style={{ backgroundColor: nodeColor(nodeId) }} />
              <span className="truncate font-medium">{node}</span>
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
      <div aria-hidden className="grid text-muted-foreground" style={columns}>
        <span />
        <div className={cn("relative", axis.hasDates ? "h-8" : "h-4")}>
          {axis.ticks.map((tick) => (
            <span key={tick.at} data-slot="timeline-tick" className="absolute top-0 grid -translate-x-1/2 text-center whitespace-nowrap tabular-nums" style={{ left: percent(tick.at) }}>
              <span>{tick.primary}</span>
              {tick.secondary ? <span>{tick.secondary}</span> : null}
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
