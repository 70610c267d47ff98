"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import {
  ActivityIcon,
  ArrowRightLeftIcon,
  CircleAlertIcon,
  CircleCheckIcon,
  CircleMinusIcon,
  GaugeIcon,
  KeyRoundIcon,
  ServerIcon,
  UsersIcon,
} from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/app/_trpc/react";
import { DailyBarChart } from "@/components/charts/daily-bar-chart";
import { HealthTimeline } from "@/components/charts/health-timeline";
import { NodeLoadChart } from "@/components/charts/node-load-chart";
import { TimeSeriesChart } from "@/components/charts/time-series-chart";
import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { formatNumber } from "@/components/i18n/format";
import { EventList } from "@/components/stats/event-list";
import { KpiCard } from "@/components/stats/kpi-card";
import { SweepBanner } from "@/components/stats/sweep-banner";
import { buttonVariants } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Progress } from "@/components/ui/progress";
import { RangeTabs, RangeTabsList, RangeTabsPanel, type Range } from "@/app/(dashboard)/_components/range-tabs";
import type { RouterOutputs } from "./router-outputs";
import { TrafficOverview } from "./traffic-overview";


// The sweep runs every 30 s by default: refreshing at half that shows a transition within one sweep.
const REFRESH_MS = 15_000;

export type OverviewInitial = {
  overview: RouterOutputs["stats"]["overview"];
  load: RouterOutputs["stats"]["nodeLoad"];
  latency: RouterOutputs["stats"]["latency"];
  timeline: RouterOutputs["stats"]["healthTimeline"];
  daily: RouterOutputs["stats"]["daily"];
  events: RouterOutputs["stats"]["events"];
  traffic: RouterOutputs["stats"]["traffic"];
  trafficOverview: RouterOutputs["stats"]["trafficOverview"];
};

const MOVE_KINDS = ["failover", "drain", "rebalance", "migration"] as const;

export function OverviewLive({ initial, canManage }: { initial: OverviewInitial; canManage: boolean }) {
  const trpc = useTRPC();
  const t = useT();
  const locale = useLocale();
  const num = (value: number) => formatNumber(locale, value);
  const [range, setRange] = useState<Range>("24h");
  const live = { refetchInterval: REFRESH_MS, placeholderData: keepPreviousData };
  const overview = useQuery(trpc.stats.overview.queryOptions(undefined, { ...live, initialData: initial.overview })).data;
  const load = useQuery(trpc.stats.nodeLoad.queryOptions(undefined, { ...live, initialData: initial.load })).data;
  const latency = useQuery(
    trpc.stats.latency.queryOptions({ range }, { ...live, initialData: range === "24h" ? initial.latency : undefined }),
  ).data;
  const timeline = useQuery(
    trpc.stats.healthTimeline.queryOptions({ range }, { ...live, initialData: range === "24h" ? initial.timeline : undefined }),
  ).data;
  const daily = useQuery(trpc.stats.daily.queryOptions(undefined, { ...live, initialData: initial.daily })).data;
  const events = useQuery(trpc.stats.events.queryOptions({ pageSize: 8 }, { ...live, initialData: initial.events })).data;

  const nodes = overview.nodes;
  const enabled = nodes.total - nodes.disabled;
  const usedRatio = overview.capacity.total > 0 ? overview.capacity.used / overview.capacity.total : 0;
  const moveSeries = MOVE_KINDS.map((key) => ({ key, label: t(`overview.moves.${key}`) }));

  return (
    <>
      {overview.sweep.isStale ? <SweepBanner lastAt={overview.sweep.lastAt} intervalSeconds={overview.sweep.intervalSeconds} /> : null}
      {/* Two a row from the narrowest phone up: eight cards one a row made the overview a 4,000-pixel page. */}
      <section aria-label={t("overview.keyFigures")} className="grid grid-cols-2 gap-3 sm:gap-4 xl:grid-cols-4">
        <KpiCard
          label={t("overview.kpi.healthy")}
          icon={CircleCheckIcon}
          tone={enabled > 0 && nodes.healthy === enabled ? "good" : "default"}
          value={nodes.healthy}
          detail={`${t("overview.kpi.healthyDetail", { count: enabled })}${nodes.unknown ? t("overview.kpi.notChecked", { count: nodes.unknown }) : ""}`}
        />
        <KpiCard label={t("overview.kpi.degraded")} icon={CircleMinusIcon} tone={nodes.degraded ? "warning" : "default"} value={nodes.degraded} detail={t("overview.kpi.degradedDetail")} />
        <KpiCard
          label={t("overview.kpi.unhealthy")}
          icon={CircleAlertIcon}
          tone={nodes.unhealthy + nodes.authError + nodes.misconfigured ? "bad" : "default"}
          value={nodes.unhealthy + nodes.authError + nodes.misconfigured}
          detail={[
            nodes.authError ? t("overview.kpi.authErrorDetail", { count: nodes.authError }) : null,
            nodes.misconfigured ? t("overview.kpi.misconfiguredDetail", { count: nodes.misconfigured }) : null,
          ]
            .filter(Boolean)
            .join(" · ") || t("overview.kpi.unhealthyDetail")}
        />
        <KpiCard label={t("overview.kpi.draining")} icon={ServerIcon} tone={nodes.draining ? "warning" : "default"} value={nodes.draining} detail={t("overview.kpi.disabledDetail", { count: nodes.disabled })} />
        <KpiCard label={t("overview.kpi.users")} icon={UsersIcon} value={num(overview.users.total)} detail={t("overview.kpi.usersDetail", { count: overview.users.withKey })} />
        <KpiCard
          label={t("overview.kpi.capacity")}
          icon={GaugeIcon}
          tone={usedRatio >= 0.9 ? "bad" : usedRatio >= 0.75 ? "warning" : "default"}
          value={`${Math.round(usedRatio * 100)}%`}
          detail={t("overview.kpi.capacityDetail", { used: num(overview.capacity.used), count: overview.capacity.total })}
        >
          <Progress value={overview.capacity.used} max={Math.max(overview.capacity.total, 1)} tone="load" label={t("overview.kpi.capacity")} />
        </KpiCard>
        <KpiCard label={t("overview.kpi.keysToday")} icon={KeyRoundIcon} value={num(overview.keysIssuedToday)} detail={t("overview.kpi.keysTodayDetail")} />
        <KpiCard label={t("overview.kpi.movesToday")} icon={ArrowRightLeftIcon} value={num(overview.movesToday)} detail={t("overview.kpi.movesTodayDetail")} />
      </section>

      {nodes.total === 0 ? (
        <EmptyState
          icon={ServerIcon}
          title={t("nodes.empty.title")}
          description={canManage ? t("overview.empty.manage") : t("overview.empty.view")}
          action={
            canManage ? (
              <Link href="/nodes?add=1" className={buttonVariants()}>
                {t("overview.empty.action")}
              </Link>
            ) : undefined
          }
        />
      ) : (
        <>
          <div className="grid gap-4 xl:grid-cols-[3fr_2fr]">
            <Card>
              <CardHeader>
                <CardTitle>{t("overview.load.title")}</CardTitle>
                <CardDescription>
                  {load.totalNodes > load.nodes.length ? t("overview.load.top", { shown: load.nodes.length, count: load.totalNodes }) : t("overview.load.all")}
                </CardDescription>
              </CardHeader>
              <CardContent>
                <NodeLoadChart data={load.nodes} others={load.others} />
              </CardContent>
            </Card>
            <Card>
              <CardHeader>
                <CardTitle>{t("overview.events.title")}</CardTitle>
                <CardDescription>{t("overview.events.description")}</CardDescription>
              </CardHeader>
              <CardContent>
                <EventList items={events.items} emptyText={t("overview.events.empty")} />
              </CardContent>
            </Card>
          </div>

          <TrafficOverview initial={initial.trafficOverview} initialTraffic={initial.traffic} />

          <RangeTabs value={range} onChange={setRange}>
            <div className="flex items-center justify-between gap-4">
              <h2 className="text-lg font-semibold">{t("overview.healthOverTime")}</h2>
              <RangeTabsList />
            </div>
            {/* One column at every width: the timeline sits under the latency chart on the same time axis. */}
            <RangeTabsPanel className="grid gap-4">
              <Card>
                <CardHeader>
                  <CardTitle>{t("overview.latency.title")}</CardTitle>
                  <CardDescription>
                    {latency && latency.totalNodes > latency.series.length
                      ? t("overview.latency.top", { shown: latency.series.length, count: latency.totalNodes })
                      : t("overview.latency.all")}
                  </CardDescription>
                  <CardAction>
                    <ActivityIcon aria-hidden className="size-4 text-muted-foreground" />
                  </CardAction>
                </CardHeader>
                <CardContent>
                  <TimeSeriesChart
                    data={latency?.points ?? []}
                    series={latency?.series ?? []}
                    from={latency?.from}
                    to={latency?.to}
                    unit="ms"
                    className="h-72"
                  />
                </CardContent>
              </Card>
              <Card>
                <CardHeader>
                  <CardTitle>{t("overview.timeline.title")}</CardTitle>
                  <CardDescription>
                    {timeline && timeline.totalNodes > timeline.rows.length
                      ? t("overview.timeline.top", { shown: timeline.rows.length, count: timeline.totalNodes })
                      : t("overview.timeline.all")}
                  </CardDescription>
                </CardHeader>
                <CardContent>
                  {timeline ? <HealthTimeline rows={timeline.rows} from={timeline.from} to={timeline.to} /> : null}
                </CardContent>
              </Card>
            </RangeTabsPanel>
          </RangeTabs>

          <div className="grid gap-4 xl:grid-cols-2">
            <Card>
              <CardHeader>
                <CardTitle>{t("overview.keys.title")}</CardTitle>
                <CardDescription>{t("overview.keys.description")}</CardDescription>
              </CardHeader>
              <CardContent>
                <DailyBarChart data={daily.keys} series={[{ key: "keys", label: t("overview.keys.series") }]} yCaption={t("overview.keys.axis")} className="h-56" />
              </CardContent>
            </Card>
            <Card>
              <CardHeader>
                <CardTitle>{t("overview.moves.title")}</CardTitle>
                <CardDescription>{t("overview.moves.description")}</CardDescription>
              </CardHeader>
              <CardContent>
                <DailyBarChart data={daily.moves} series={moveSeries} isStacked yCaption={t("overview.moves.axis")} className="h-56" />
              </CardContent>
            </Card>
          </div>
        </>
      )}
    </>
  );
}
