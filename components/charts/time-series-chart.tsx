"use client";

import { Area, AreaChart, Line, LineChart } from "recharts";

import { useLocale } from "@/components/i18n/i18n-provider";

import { CHART_MARGIN, ChartAxes, ChartContainer, seriesConfig, type ChartSeries } from "./chart";
import { formatDateTime, formatValue, type ChartUnit } from "./format";
import { isolatedPoints } from "./isolated-points";
import type { TimeTick } from "./time-axis";
import { useTimeAxis } from "./use-time-axis";

/** One sample time; `null` (or a missing key) is a gap, e.g. a failed check. */
export type TimeSeriesPoint<K extends string> = { t: number } & Partial<Record<K, number | null>>;

type TimeSeriesChartProps<K extends string> = {
  /** Sorted by `t` (epoch milliseconds). */
  data: readonly TimeSeriesPoint<K>[];
  /** One entry per line; a node's series (with its nodeId) takes the node's colour, others the palette in order. */
  series: readonly ChartSeries<K>[];
  /** The window the x axis spans (the server's window, so charts of one window line up); the data's extent by default. */
  from?: number;
  to?: number;
  variant?: "line" | "area";
  /** On every y tick and tooltip value. */
  unit?: ChartUnit;
  /** What the y axis counts when it has no unit ("users"). */
  yCaption?: string;
  className?: string;
};

const LINE_HEIGHT_PX = 14;

/** An x tick: the time (or date) and, where a day starts, the date on a second line. */
function TimeTickLabel({ x, y, payload, ticks }: { x?: number | string; y?: number | string; payload?: { value: unknown }; ticks: ReadonlyMap<number, TimeTick> }) {
  const tick = ticks.get(Number(payload?.value));
  if (!tick || x === undefined || y === undefined) return <g />;
  return (
    <text x={x} y={y} textAnchor="middle" fill="var(--muted-foreground)" fontSize={12} suppressHydrationWarning>
      <tspan x={x} dy="0.71em">
        {tick.primary}
      </tspan>
      {tick.secondary ? (
        <tspan x={x} dy={LINE_HEIGHT_PX}>
          {tick.secondary}
        </tspan>
      ) : null}
    </text>
  );
}

/** Several series over time (e.g. latency per node); gaps stay gaps. */
function TimeSeriesChart<K extends string>({ data, series, from, to, variant = "line", unit, yCaption, className }: TimeSeriesChartProps<K>) {
  const locale = useLocale();
  const config = seriesConfig(series);
  const start = from ?? data[0]?.t ?? 0;
  const end = to ?? data[data.length - 1]?.t ?? start;
  const [axisRef, axis] = useTimeAxis(start, end);
  const ticksByTime = new Map(axis.ticks.map((tick) => [tick.at, tick]));

  const axes = (
    <ChartAxes
      x={{
        dataKey: "t",
        type: "number",
        scale: "time",
        domain: [start, end],
        allowDataOverflow: true,
        ticks: axis.ticks.map((tick) => tick.at),
        interval: 0,
        height: axis.hasDates ? 24 + LINE_HEIGHT_PX : 24,
        tick: (props: { x?: number | string; y?: number | string; payload?: { value: unknown } }) => <TimeTickLabel {...props} ticks={ticksByTime} />,
      }}
      y={{ width: axis.gutter, tickFormatter: (value: number) => formatValue(value, locale, unit) }}
      tooltip={{
        indicator: "line",
        labelFormatter: (value) => formatDateTime(Number(value), locale),
        valueFormatter: (value) => formatValue(value, locale, unit, { exact: true }),
      }}
    />
  );

  const mutableData = [...data];
  const margin = { ...CHART_MARGIN, right: axis.right };
  // Only samples with no neighbour get a dot; elsewhere the line carries them.
  const dotFor = (key: K, color: string) => {
    const isolated = isolatedPoints(data, key);
    const DotShape = (props: { cx?: number; cy?: number; index?: number }) =>
      props.index !== undefined && isolated.has(props.index) && props.cx !== undefined && props.cy !== undefined ? (
        <circle key={`${key}-${props.index}`} cx={props.cx} cy={props.cy} r={3} fill={color} />
      ) : (
        <g key={`${key}-${props.index}`} />
      );
    DotShape.displayName = `Dot(${key})`;
    return DotShape;
  };

  return (
    <div ref={axisRef} className="w-full">
      <ChartContainer
        config={config}
        isEmpty={data.length === 0}
        hasLegend={series.length > 1}
        captions={yCaption ? { y: yCaption } : undefined}
        className={className}
      >
        {variant === "area" ? (
          <AreaChart data={mutableData} margin={margin}>
            {axes}
            {series.map(({ key }) => {
              const color = config[key]!.color;
              return (
                <Area
                  key={key}
                  dataKey={key}
                  type="monotone"
                  stroke={color}
                  strokeWidth={2}
                  fill={color}
                  fillOpacity={0.12}
                  dot={dotFor(key, color)}
                  connectNulls={false}
                  isAnimationActive={false}
                />
              );
            })}
          </AreaChart>
        ) : (
          <LineChart data={mutableData} margin={margin}>
            {axes}
            {series.map(({ key }) => {
              const color = config[key]!.color;
              return (
                <Line
                  key={key}
                  dataKey={key}
                  type="monotone"
                  stroke={color}
                  strokeWidth={2}
                  dot={dotFor(key, color)}
                  activeDot={{ r: 3 }}
                  connectNulls={false}
                  isAnimationActive={false}
                />
              );
            })}
          </LineChart>
        )}
      </ChartContainer>
    </div>
  );
}

export { TimeSeriesChart, type TimeSeriesChartProps };
