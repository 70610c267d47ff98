"use client";

import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";

import { useLocale } from "@/components/i18n/i18n-provider";

import { AXIS_PROPS, ChartContainer, ChartTooltipContent, GRID_PROPS, chartColor, type ChartConfig } from "./chart";
import { formatDay, formatValue } from "./format";

/** One calendar day ("YYYY-MM-DD", bucketed by the server) with a count per series. */
export type DailyPoint<K extends string> = { day: string } & Record<K, number>;

export type DailySeries<K extends string> = { key: K; label: string };

type DailyBarChartProps<K extends string> = {
  /** Every day in the range, including days with zero (the server fills gaps). */
  data: readonly DailyPoint<K>[];
  series: readonly DailySeries<K>[];
  /** Stack the series (parts of one total) instead of grouping them side by side. */
  isStacked?: boolean;
  unit?: string;
  className?: string;
};

/** Per-day counts, e.g. keys issued or users migrated per day. */
function DailyBarChart<K extends string>({
  data,
  series,
  isStacked = false,
  unit,
  className,
}: DailyBarChartProps<K>) {
  const locale = useLocale();
  const config: ChartConfig = Object.fromEntries(
    series.map(({ key, label }, index) => [key, { label, color: chartColor(index) }]),
  );
  const lastIndex = series.length - 1;

  return (
    <ChartContainer
      config={config}
      isEmpty={data.length === 0}
      hasLegend={series.length > 1}
      className={className}
    >
      <BarChart data={[...data]} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid {...GRID_PROPS} />
        <XAxis
          dataKey="day"
          {...AXIS_PROPS}
          minTickGap={16}
          tickFormatter={(day: string) => formatDay(day, locale)}
        />
        <YAxis {...AXIS_PROPS} width={44} allowDecimals={false} />
        <Tooltip
          cursor={{ fill: "var(--muted)", opacity: 0.6 }}
          content={({ active, payload, label }) => (
            <ChartTooltipContent
              active={active}
              payload={payload}
              label={label}
              labelFormatter={(day) => formatDay(String(day), locale, { withWeekday: true })}
              valueFormatter={(value) => formatValue(value, locale, unit)}
            />
          )}
        />
        {series.map(({ key }, index) => (
          <Bar
            key={key}
            dataKey={key}
            fill={chartColor(index)}
            stackId={isStacked ? "total" : undefined}
            // Only the top of a stack (or every bar when grouped) gets rounded corners.
            radius={!isStacked || index === lastIndex ? [3, 3, 0, 0] : 0}
            maxBarSize={32}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </ChartContainer>
  );
}

export { DailyBarChart, type DailyBarChartProps };
