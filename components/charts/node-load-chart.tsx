"use client";

import { Bar, BarChart } from "recharts";

import { useLocale, useT } from "@/components/i18n/i18n-provider";

import { BAR_CURSOR, CHART_MARGIN, ChartAxes, ChartContainer, chartColor, type ChartConfig } from "./chart";
import { formatValue } from "./format";

export type NodeLoadDatum = {
  /** Node name, shown on the axis. */
  node: string;
  /** Live assignments on the node. */
  users: number;
  /** The node's max_users. */
  capacity: number;
};

type NodeLoadChartProps = {
  data: readonly NodeLoadDatum[];
  className?: string;
};

/** Users against capacity per node, as paired bars. */
function NodeLoadChart({ data, className }: NodeLoadChartProps) {
  const t = useT();
  const locale = useLocale();
  const config: ChartConfig = {
    users: { label: t("chart.users"), color: chartColor(0) },
    // A pale neutral so capacity reads as the frame the users bar fills.
    capacity: {
      label: t("chart.capacity"),
      color: "color-mix(in oklch, var(--muted-foreground) 28%, transparent)",
    },
  };

  return (
    <ChartContainer config={config} isEmpty={data.length === 0} hasLegend className={className}>
      <BarChart data={[...data]} barGap={2} margin={CHART_MARGIN}>
        <ChartAxes
          x={{ dataKey: "node", interval: "preserveStartEnd" }}
          y={{ allowDecimals: false }}
          cursor={BAR_CURSOR}
          tooltip={{ valueFormatter: (value) => formatValue(value, locale) }}
        />
        <Bar
          dataKey="users"
          fill={config.users?.color}
          radius={[4, 4, 0, 0]}
          maxBarSize={28}
          isAnimationActive={false}
        />
        <Bar
          dataKey="capacity"
          fill={config.capacity?.color}
          radius={[4, 4, 0, 0]}
          maxBarSize={28}
          isAnimationActive={false}
        />
      </BarChart>
    </ChartContainer>
  );
}

export { NodeLoadChart, type NodeLoadChartProps };
