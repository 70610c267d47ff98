"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_trpc/react";
import { STACKED_CARD_ACTION, STACKED_CARD_HEADER } from "@/app/(dashboard)/_components/layout-classes";
import { RangeTabs, RangeTabsList, RangeTabsPanel, type Range } from "@/app/(dashboard)/_components/range-tabs";
import type { RouterOutputs } from "@/app/(dashboard)/_components/router-outputs";
import { TimeSeriesChart } from "@/components/charts/time-series-chart";
import { formatValue } from "@/components/charts/format";
import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

type TrafficSeries = RouterOutputs["stats"]["traffic"];

/**
 * Download and upload over 24 h / 7 d / 30 d from the ledger's hourly roll-ups: the fleet's
 * throughput (no scope), one node's, or one user's across every node they used.
 */
export function TrafficCard({
  scope = {},
  title,
  initial,
}: {
  scope?: { nodeId?: string; telegramId?: number };
  title: string;
  initial?: TrafficSeries;
}) {
  const trpc = useTRPC();
  const t = useT();
  const locale = useLocale();
  const [range, setRange] = useState<Range>("24h");
  const traffic = useQuery(
    trpc.stats.traffic.queryOptions(
      { range, ...scope },
      { refetchInterval: 60_000, placeholderData: keepPreviousData, initialData: range === "24h" ? initial : undefined },
    ),
  ).data;
  const series = [
    { key: "down" as const, label: t("traffic.download") },
    { key: "up" as const, label: t("traffic.upload") },
  ];

  return (
    <RangeTabs value={range} onChange={setRange}>
      <Card>
        <CardHeader className={STACKED_CARD_HEADER}>
          <CardTitle>{title}</CardTitle>
          <CardDescription>
            {traffic
              ? t("traffic.totals", {
                  down: formatValue(traffic.totals.down, locale, "bytes"),
                  up: formatValue(traffic.totals.up, locale, "bytes"),
                  range: t(`range.${range}`),
                })
              : t("common.loading")}
          </CardDescription>
          <CardAction className={STACKED_CARD_ACTION}>
            <RangeTabsList label={t("traffic.rangeLabel")} />
          </CardAction>
        </CardHeader>
        <RangeTabsPanel>
          <CardContent>
            <TimeSeriesChart data={traffic?.points ?? []} series={series} unit="bytes" variant="area" className="h-56" />
          </CardContent>
        </RangeTabsPanel>
      </Card>
    </RangeTabs>
  );
}
