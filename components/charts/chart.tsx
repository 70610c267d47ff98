"use client";

import { createContext, useContext, type ComponentProps, type ReactElement, type ReactNode } from "react";
import { CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import { useT } from "@/components/i18n/i18n-provider";
import { cn } from "@/components/ui/cn";

import { nodeColor } from "./node-color";

/*
 * The one wrapper over recharts. Feature charts describe their series in a ChartConfig
 * (label + colour) and compose raw recharts elements inside <ChartContainer>, with
 * <ChartAxes> for the grid, axes and tooltip they all share; tooltip and legend read labels
 * and colours from the same config. Colours are CSS variables from app/globals.css, so both
 * themes work without re-rendering.
 *
 * Conventions every chart keeps: every axis says what it measures — a unit on each tick
 * (ChartUnit in format.ts: ms, %, bytes) or, for counts, a caption naming them (`captions`);
 * a series that is a node takes nodeColor(node id) (node-color.ts), never a colour by position;
 * time axes take their ticks from useTimeAxis (use-time-axis.ts), which puts dates on
 * multi-day windows and under the tick where a day starts; tooltips show exact values.
 */

export type ChartSeriesConfig = { label: ReactNode; color: string };
export type ChartConfig = Record<string, ChartSeriesConfig>;

export const CHART_COLOR_COUNT = 8;

/** The n-th series colour (0-based), cycling through --chart-1 … --chart-8. */
export function chartColor(index: number): string {
  return `var(--chart-${(index % CHART_COLOR_COUNT) + 1})`;
}

/**
 * One plotted series: the data key it reads and its name in the tooltip and legend. A series that
 * is a node names it (`nodeId`) and takes the node's colour; any other takes the next palette colour.
 */
export type ChartSeries<K extends string> = { key: K; label: string; nodeId?: string };

/** A config for the series: a node's own colour, or the palette in order (--chart-1, --chart-2, …). */
export function seriesConfig(series: readonly ChartSeries<string>[]): ChartConfig {
  return Object.fromEntries(series.map(({ key, label, nodeId }, index) => [key, { label, color: nodeId ? nodeColor(nodeId) : chartColor(index) }]));
}

/** The plot's margin inside the container, the same for every cartesian chart. */
export const CHART_MARGIN = { top: 8, right: 16, bottom: 0, left: 0 };

/** The band behind the hovered category of a bar chart. */
export const BAR_CURSOR = { fill: "var(--muted)", opacity: 0.6 };

const ChartContext = createContext<ChartConfig | null>(null);

function useChartConfig(): ChartConfig {
  const config = useContext(ChartContext);
  if (!config) throw new Error("Chart parts must be used inside <ChartContainer>");
  return config;
}

type ChartContainerProps = Omit<ComponentProps<"div">, "children"> & {
  config: ChartConfig;
  /** One recharts chart element (BarChart, AreaChart, …). */
  children: ReactElement;
  /** Show the "no data" message instead of an empty plot (keeps the same height). */
  isEmpty?: boolean;
  /** Render a legend from the config under the plot. */
  hasLegend?: boolean;
  /** What an axis counts when its ticks carry no unit ("users", "keys"): y above the plot, x under it. */
  captions?: { x?: ReactNode; y?: ReactNode };
};

/** Give it a height through className (e.g. "h-64"); width follows the parent. */
function ChartContainer({
  config,
  children,
  isEmpty = false,
  hasLegend = false,
  captions,
  className,
  ...props
}: ChartContainerProps) {
  const t = useT();
  return (
    <ChartContext.Provider value={config}>
      <div
        data-slot="chart"
        className={cn(
          // Visible overflow: an edge tick's label may reach past the plot into the card's padding.
          "flex h-64 w-full flex-col text-xs [&_.recharts-surface]:overflow-visible [&_.recharts-surface]:outline-none [&_.recharts-tooltip-cursor]:fill-muted/60 [&_.recharts-tooltip-cursor]:stroke-border",
          className,
        )}
        {...props}
      >
        {isEmpty ? (
          <div className="flex flex-1 items-center justify-center rounded-lg border border-dashed text-sm text-muted-foreground">
            {t("chart.noData")}
          </div>
        ) : (
          <>
            {captions?.y ? <p data-slot="chart-caption-y" className="pb-1 text-muted-foreground">{captions.y}</p> : null}
            <div className="min-h-0 flex-1">
              <ResponsiveContainer width="100%" height="100%">
                {children}
              </ResponsiveContainer>
            </div>
            {captions?.x ? <p data-slot="chart-caption-x" className="pt-1 text-right text-muted-foreground">{captions.x}</p> : null}
          </>
        )}
        {hasLegend && !isEmpty ? <ChartLegend /> : null}
      </div>
    </ChartContext.Provider>
  );
}

type TooltipEntry = {
  dataKey?: unknown;
  value?: unknown;
  color?: string;
  type?: string;
};

type ChartTooltipContentProps = {
  active?: boolean;
  payload?: ReadonlyArray<TooltipEntry>;
  label?: ReactNode;
  labelFormatter?: (label: ReactNode) => ReactNode;
  /** The exact value of one series (`key` is its data key). */
  valueFormatter?: (value: number, key: string) => string;
  indicator?: "dot" | "line";
};

/** The tooltip body (ChartAxes puts it in recharts' Tooltip); series names come from the ChartConfig. */
function ChartTooltipContent({
  active,
  payload,
  label,
  labelFormatter,
  valueFormatter = (value) => value.toLocaleString(),
  indicator = "dot",
}: ChartTooltipContentProps) {
  const config = useChartConfig();
  if (!active || !payload?.length) return null;

  return (
    <div className="grid min-w-36 gap-1.5 rounded-lg border bg-popover px-2.5 py-2 text-xs text-popover-foreground shadow-lg">
      {label !== undefined ? (
        <div className="font-medium">{labelFormatter ? labelFormatter(label) : label}</div>
      ) : null}
      <div className="grid gap-1">
        {payload
          .filter((entry) => entry.type !== "none")
          .map((entry) => {
            const key = String(entry.dataKey);
            return (
              <div key={key} className="flex items-center gap-2">
                <span
                  aria-hidden
                  className={cn(
                    "shrink-0 rounded-[2px]",
                    indicator === "dot" ? "size-2.5" : "h-3 w-1",
                  )}
                  style={{ backgroundColor: config[key]?.color ?? entry.color }}
                />
                <span className="flex-1 text-muted-foreground">{config[key]?.label ?? key}</span>
                <span className="font-mono font-medium tabular-nums">
                  {typeof entry.value === "number" ? valueFormatter(entry.value, key) : "—"}
                </span>
              </div>
            );
          })}
      </div>
    </div>
  );
}

/** Quiet ticks and no axis lines, on both axes of every chart. */
const AXIS_STYLE = {
  tickLine: false,
  axisLine: false,
  tickMargin: 8,
  tick: { fill: "var(--muted-foreground)", fontSize: 12 },
} as const;

/** Room for y ticks with a unit ("1,200 ms"); time charts take their gutter from useTimeAxis instead. */
const Y_AXIS_WIDTH = 64;

type ChartAxesProps = {
  /** Grid lines across the value axis: horizontal for column and line charts, vertical for horizontal bars. */
  grid?: "horizontal" | "vertical";
  /** What the x axis plots and how its ticks read: dataKey, type, scale, domain, tickFormatter, … */
  x: ComponentProps<typeof XAxis>;
  /** The y axis beyond the shared look: tickFormatter, allowDecimals, … */
  y?: ComponentProps<typeof YAxis>;
  /** How the tooltip shows its label (the x value) and each series' value. */
  tooltip?: Pick<ChartTooltipContentProps, "labelFormatter" | "valueFormatter" | "indicator">;
  /** What marks the hovered x: recharts' default line, or a band behind bars. */
  cursor?: ComponentProps<typeof Tooltip>["cursor"];
};

/**
 * The grid, both axes and the tooltip that every cartesian chart shares, styled in
 * one place; a chart passes only what differs. Goes inside the recharts chart element.
 */
function ChartAxes({ grid = "horizontal", x, y, tooltip, cursor }: ChartAxesProps) {
  return (
    <>
      <CartesianGrid vertical={grid === "vertical"} horizontal={grid === "horizontal"} stroke="var(--border)" />
      <XAxis {...AXIS_STYLE} {...x} />
      <YAxis {...AXIS_STYLE} width={Y_AXIS_WIDTH} {...y} />
      <Tooltip
        cursor={cursor}
        content={({ active, payload, label }) => (
          <ChartTooltipContent active={active} payload={payload} label={label} {...tooltip} />
        )}
      />
    </>
  );
}

/** An HTML legend built from the config (recharts' own legend is harder to style). */
function ChartLegend() {
  const config = useChartConfig();
  return (
    <ul
      data-slot="chart-legend"
      className="flex shrink-0 flex-wrap items-center justify-center gap-x-4 gap-y-1.5 pt-3 text-xs"
    >
      {Object.entries(config).map(([key, { label, color }]) => (
        <li key={key} className="flex items-center gap-1.5 text-muted-foreground">
          <span aria-hidden className="size-2.5 shrink-0 rounded-[2px]" style={{ backgroundColor: color }} />
          {label}
        </li>
      ))}
    </ul>
  );
}

export { ChartAxes, ChartContainer };
