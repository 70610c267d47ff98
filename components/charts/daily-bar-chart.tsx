"use client";

import { Bar, BarChart } from "recharts";

import { useLocale } from "@/components/i18n/i18n-provider";

import { BAR_CURSOR, CHART_MARGIN, ChartAxes, ChartContainer, chartColor, seriesConfig, type ChartSeries } from "./chart";
import { formatDay, formatValue, type ChartUnit } from "./format";

/** One calendar day ("YYYY-MM-DD", bucketed by the server) with a count per series. */
export type DailyPoint<K extends string> = { day: string } & Record<K, number>;

type DailyBarChartProps<K extends string> = {
  /** Every day in the range, including days with zero (the server fills gaps). */
  data: readonly DailyPoint<K>[];
  series: readonly ChartSeries<K>[];
  /** Stack the series (parts of one total) instead of grouping them side by side. */
  isStacked?: boolean;
  /** On every y tick and tooltip value. */
  unit?: ChartUnit;
  /** What the y axis counts when it has no unit ("keys", "users moved"). */
  yCaption?: string;
  className?: string;
};

/** Per-day counts, e.g. keys issued or users migrated per day. */
function DailyBarChart<K extends string>({
  data,
  series,
  isStacked = false,
  unit,
  yCaption,
  className,
}: DailyBarChartProps<K>) {
  const locale = useLocale();
  const config = seriesConfig(series);
  const lastIndex = series.length - 1;

  return (
    <ChartContainer
      config={config}
      isEmpty={data.length === 0}
      hasLegend={series.length > 1}
      captions={yCaption ? { y: yCaption } : undefined}
      className={className}
    >
      <BarChart data={[...data]} margin={CHART_MARGIN}>
        <ChartAxes
          x={{ dataKey: "day", minTickGap: 16, tickFormatter: (day: string) => formatDay(day, locale) }}
          y={{ allowDecimals: false, tickFormatter: (value: number) => formatValue(value, locale, unit) }}
          cursor={BAR_CURSOR}
          tooltip={{
            labelFormatter: (day) => formatDay(String(day), locale, { withWeekday: true }),
            valueFormatter: (value) => formatValue(value, locale, unit, { exact: true }),
          }}
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
