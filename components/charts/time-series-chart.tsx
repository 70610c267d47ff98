"use client";

import { Area, AreaChart, Line, LineChart } from "recharts";

import { useLocale } from "@/components/i18n/i18n-provider";

import { CHART_MARGIN, ChartAxes, ChartContainer, chartColor, seriesConfig, type ChartSeries } from "./chart";
import { formatDateTime, formatTick, formatValue } from "./format";
import { isolatedPoints } from "./isolated-points";

/** One sample time; `null` (or a missing key) is a gap, e.g. a failed check. */
export type TimeSeriesPoint<K extends string> = { t: number } & Partial<Record<K, number | null>>;

type TimeSeriesChartProps<K extends string> = {
  /** Sorted by `t` (epoch milliseconds). */
  data: readonly TimeSeriesPoint<K>[];
  /** One entry per line, in colour order (--chart-1, --chart-2, …). */
  series: readonly ChartSeries<K>[];
  variant?: "line" | "area";
  /** Unit shown in the tooltip ("ms", "%"); axis ticks stay bare numbers to save width. */
  unit?: string;
  className?: string;
};

/** Several series over time (e.g. latency per node); gaps stay gaps. */
function TimeSeriesChart<K extends string>({
  data,
  series,
  variant = "line",
  unit,
  className,
}: TimeSeriesChartProps<K>) {
  const locale = useLocale();
  const config = seriesConfig(series);
  const first = data[0]?.t ?? 0;
  const spanMs = (data[data.length - 1]?.t ?? first) - first;

  const axes = (
    <ChartAxes
      x={{
        dataKey: "t",
        type: "number",
        scale: "time",
        domain: ["dataMin", "dataMax"],
        minTickGap: 32,
        tickFormatter: (value: number) => formatTick(value, spanMs, locale),
      }}
      y={{ tickFormatter: (value: number) => formatValue(value, locale) }}
      tooltip={{
        indicator: "line",
        labelFormatter: (value) => formatDateTime(Number(value), locale),
        valueFormatter: (value) => formatValue(value, locale, unit),
      }}
    />
  );

  const mutableData = [...data];
  // Only samples with no neighbour get a dot; elsewhere the line carries them.
  const dotFor = (key: K, index: number) => {
    const isolated = isolatedPoints(data, key);
    const DotShape = (props: { cx?: number; cy?: number; index?: number }) =>
      props.index !== undefined && isolated.has(props.index) && props.cx !== undefined && props.cy !== undefined ? (
        <circle key={`${key}-${props.index}`} cx={props.cx} cy={props.cy} r={3} fill={chartColor(index)} />
      ) : (
        <g key={`${key}-${props.index}`} />
      );
    DotShape.displayName = `Dot(${key})`;
    return DotShape;
  };

  return (
    <ChartContainer
      config={config}
      isEmpty={data.length === 0}
      hasLegend={series.length > 1}
      className={className}
    >
      {variant === "area" ? (
        <AreaChart data={mutableData} margin={CHART_MARGIN}>
          {axes}
          {series.map(({ key }, index) => (
            <Area
              key={key}
              dataKey={key}
              type="monotone"
              stroke={chartColor(index)}
              strokeWidth={2}
              fill={chartColor(index)}
              fillOpacity={0.12}
              dot={dotFor(key, index)}
              connectNulls={false}
              isAnimationActive={false}
            />
          ))}
        </AreaChart>
      ) : (
        <LineChart data={mutableData} margin={CHART_MARGIN}>
          {axes}
          {series.map(({ key }, index) => (
            <Line
              key={key}
              dataKey={key}
              type="monotone"
              stroke={chartColor(index)}
              strokeWidth={2}
              dot={dotFor(key, index)}
              activeDot={{ r: 3 }}
              connectNulls={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      )}
    </ChartContainer>
  );
}

export { TimeSeriesChart, type TimeSeriesChartProps };
