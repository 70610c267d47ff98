"use client";

import { Bar, BarChart, Cell } from "recharts";

import { useLocale, useT } from "@/components/i18n/i18n-provider";

import { BAR_CURSOR, CHART_MARGIN, ChartAxes, ChartContainer, type ChartConfig } from "./chart";
import { formatValue } from "./format";
import { nodeColor } from "./node-color";

export type NodeLoadDatum = {
  nodeId: string;
  /** Node name, shown on the axis. */
  node: string;
  /** Live assignments on the node. */
  users: number;
  /** The node's max_users. */
  capacity: number;
};

/** The nodes not drawn one by one, added up. */
export type NodeLoadOthers = { nodes: number; users: number; capacity: number };

type NodeLoadChartProps = {
  data: readonly NodeLoadDatum[];
  others?: NodeLoadOthers | null;
  className?: string;
};

const ROW_PX = 28;
const BAR_PX = 14;
/** The x axis and the caption under the plot. */
const AXIS_PX = 48;
const NAME_WIDTH_PX = 120;
const NAME_CHARS = 16;

const OTHERS_KEY = "__others";

const shortName = (name: string) => (name.length > NAME_CHARS ? `${name.slice(0, NAME_CHARS - 1)}…` : name);

/**
 * Users against capacity per node as horizontal bars, one row per node (names stay readable at any
 * fleet size: rows, not columns, grow), busiest first, the rest of the fleet as one "others" row.
 * Each node's bar is its own colour (nodeColor), drawn over a pale track that is its capacity.
 */
function NodeLoadChart({ data, others, className }: NodeLoadChartProps) {
  const t = useT();
  const locale = useLocale();
  const config: ChartConfig = {
    // A pale neutral so capacity reads as the frame the users bar fills.
    capacity: { label: t("chart.capacity"), color: "color-mix(in oklch, var(--muted-foreground) 22%, transparent)" },
    users: { label: t("chart.users"), color: "var(--foreground)" },
  };
  const othersLabel = others ? t("chart.others", { count: others.nodes }) : null;
  const rows = [
    ...data.map((d) => ({ key: d.nodeId, node: d.node, users: d.users, capacity: d.capacity, color: nodeColor(d.nodeId) })),
    ...(others && othersLabel ? [{ key: OTHERS_KEY, node: othersLabel, users: others.users, capacity: others.capacity, color: "var(--muted-foreground)" }] : []),
  ];
  // A long node name is cut; the "others" row is never cut (its count is the point), it wraps instead.
  const tickLabel = (name: string) => (name === othersLabel ? name : shortName(name));

  return (
    <ChartContainer
      config={config}
      isEmpty={rows.length === 0}
      captions={{ x: t("chart.usersAxis") }}
      className={className}
      style={{ height: rows.length * ROW_PX + AXIS_PX }}
      data-testid="node-load-chart"
    >
      <BarChart data={rows} layout="vertical" barGap={-BAR_PX} barCategoryGap={0} margin={CHART_MARGIN}>
        <ChartAxes
          grid="vertical"
          x={{ type: "number", allowDecimals: false, tickFormatter: (value: number) => formatValue(value, locale) }}
          y={{ type: "category", dataKey: "node", width: NAME_WIDTH_PX, interval: 0, tickFormatter: tickLabel }}
          cursor={BAR_CURSOR}
          tooltip={{ valueFormatter: (value) => formatValue(value, locale, undefined, { exact: true }) }}
        />
        <Bar dataKey="capacity" fill={config.capacity!.color} barSize={BAR_PX} radius={3} isAnimationActive={false} />
        <Bar dataKey="users" barSize={BAR_PX} radius={3} isAnimationActive={false}>
          {rows.map((row) => (
            <Cell key={row.key} fill={row.color} />
          ))}
        </Bar>
      </BarChart>
    </ChartContainer>
  );
}

export { NodeLoadChart, type NodeLoadChartProps };
