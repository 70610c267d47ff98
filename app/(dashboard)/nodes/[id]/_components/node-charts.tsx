"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_trpc/react";
import { STACKED_CARD_ACTION, STACKED_CARD_HEADER } from "@/app/(dashboard)/_components/layout-classes";
import type { RouterOutputs } from "@/app/(dashboard)/_components/router-outputs";
import { HealthTimeline } from "@/components/charts/health-timeline";
import { useT } from "@/components/i18n/i18n-provider";
import { TimeSeriesChart } from "@/components/charts/time-series-chart";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { RangeTabs, RangeTabsList, RangeTabsPanel, type Range } from "@/app/(dashboard)/_components/range-tabs";


/** One node's latency and health bands over the chosen window; refreshes with the sweep. */
export function NodeCharts({
  nodeId,
  initialLatency,
  initialTimeline,
}: {
  nodeId: string;
  initialLatency: RouterOutputs["stats"]["latency"];
  initialTimeline: RouterOutputs["stats"]["healthTimeline"];
}) {
  const trpc = useTRPC();
  const t = useT();
  const [range, setRange] = useState<Range>("24h");
  const options = { refetchInterval: 15_000, placeholderData: keepPreviousData };
  const latency = useQuery(trpc.stats.latency.queryOptions({ range, nodeId }, { ...options, initialData: range === "24h" ? initialLatency : undefined })).data;
  const timeline = useQuery(
    trpc.stats.healthTimeline.queryOptions({ range, nodeId }, { ...options, initialData: range === "24h" ? initialTimeline : undefined }),
  ).data;
  const series = latency?.series[0];

  return (
    <RangeTabs value={range} onChange={setRange}>
      <Card>
        <CardHeader className={STACKED_CARD_HEADER}>
          <CardTitle>{t("nodeCharts.title")}</CardTitle>
          <CardDescription>
            {series
              ? t("nodeCharts.summary", {
                  uptime: series.uptimePercent === null ? "—" : `${series.uptimePercent}%`,
                  latency: series.avgLatencyMs === null ? "—" : t("common.ms", { value: series.avgLatencyMs }),
                  range: t(`range.${range}`),
                })
              : t("nodeCharts.noChecks")}
          </CardDescription>
          <CardAction className={STACKED_CARD_ACTION}>
            <RangeTabsList />
          </CardAction>
        </CardHeader>
        <RangeTabsPanel>
          <CardContent className="grid gap-6">
            <TimeSeriesChart
              data={latency?.points ?? []}
              series={latency?.series ?? []}
              from={latency?.from}
              to={latency?.to}
              unit="ms"
              variant="area"
              className="h-60"
            />
            {timeline ? <HealthTimeline rows={timeline.rows} from={timeline.from} to={timeline.to} /> : null}
          </CardContent>
        </RangeTabsPanel>
      </Card>
    </RangeTabs>
  );
}
