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
import { EventList } from "@/components/stats/event-list";
import { KpiCard } from "@/components/stats/kpi-card";
import { SweepBanner } from "@/components/stats/sweep-banner";
import { buttonVariants } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Progress } from "@/components/ui/progress";
import { Tabs, TabsList, TabsTrigger } from "@/components/ui/tabs";
import type { RouterOutputs } from "./router-outputs";

type Range = "24h" | "7d" | "30d";
const RANGES: readonly Range[] = ["24h", "7d", "30d"];

// The sweep runs every 30 s by default: refreshing at half that shows a transition within one sweep.
const REFRESH_MS = 15_000;

export type OverviewInitial = {
  overview: RouterOutputs["stats"]["overview"];
  load: RouterOutputs["stats"]["nodeLoad"];
  latency: RouterOutputs["stats"]["latency"];
  timeline: RouterOutputs["stats"]["healthTimeline"];
  daily: RouterOutputs["stats"]["daily"];
  events: RouterOutputs["stats"]["events"];
};

const MOVE_SERIES = [
  { key: "failover", label: "Failover" },
  { key: "drain", label: "Drain" },
  { key: "rebalance", label: "Rebalance" },
  { key: "migration", label: "Manual move" },
] as const;

export function OverviewLive({ initial, canManage }: { initial: OverviewInitial; canManage: boolean }) {
  const trpc = useTRPC();
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

  return (
    <>
      {overview.sweep.isStale ? <SweepBanner lastAt={overview.sweep.lastAt} intervalSeconds={overview.sweep.intervalSeconds} /> : null}
      <section aria-label="Key figures" className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <KpiCard label="Healthy nodes" icon={CircleCheckIcon} tone={enabled > 0 && nodes.healthy === enabled ? "good" : "default"} value={nodes.healthy} detail={`of ${enabled} enabled${nodes.unknown ? ` · ${nodes.unknown} not checked yet` : ""}`} />
        <KpiCard label="Degraded nodes" icon={CircleMinusIcon} tone={nodes.degraded ? "warning" : "default"} value={nodes.degraded} detail="slow or partly failing; used only when healthy nodes are full" />
        <KpiCard label="Unhealthy nodes" icon={CircleAlertIcon} tone={nodes.unhealthy + nodes.authError ? "bad" : "default"} value={nodes.unhealthy + nodes.authError} detail={nodes.authError ? `${nodes.authError} with wrong panel credentials (never migrated)` : "their users are moved after the grace period"} />
        <KpiCard label="Draining nodes" icon={ServerIcon} tone={nodes.draining ? "warning" : "default"} value={nodes.draining} detail={`${nodes.disabled} disabled`} />
        <KpiCard label="Users" icon={UsersIcon} value={overview.users.total.toLocaleString()} detail={`${overview.users.withKey.toLocaleString()} holding a key`} />
        <KpiCard label="Capacity used" icon={GaugeIcon} tone={usedRatio >= 0.9 ? "bad" : usedRatio >= 0.75 ? "warning" : "default"} value={`${Math.round(usedRatio * 100)}%`} detail={`${overview.capacity.used.toLocaleString()} of ${overview.capacity.total.toLocaleString()} places`}>
          <Progress value={overview.capacity.used} max={Math.max(overview.capacity.total, 1)} tone="load" label="Capacity used" />
        </KpiCard>
        <KpiCard label="Keys issued today" icon={KeyRoundIcon} value={overview.keysIssuedToday.toLocaleString()} detail="new and refreshed keys since 00:00 UTC" />
        <KpiCard label="Migrations today" icon={ArrowRightLeftIcon} value={overview.movesToday.toLocaleString()} detail="users moved by failover, drain, rebalance or hand" />
      </section>

      {nodes.total === 0 ? (
        <EmptyState
          icon={ServerIcon}
          title="No nodes yet"
          description={canManage ? "Add your first 3X-UI panel on the Nodes page; charts fill in after its first health check." : "An admin has to add the first 3X-UI panel; charts fill in after its first health check."}
          action={canManage ? <Link href="/nodes?add=1" className={buttonVariants()}>Add a node</Link> : undefined}
        />
      ) : (
        <>
          <div className="grid gap-4 xl:grid-cols-[3fr_2fr]">
            <Card>
              <CardHeader>
                <CardTitle>Users vs capacity</CardTitle>
                <CardDescription>
                  {load.totalNodes > load.nodes.length ? `The ${load.nodes.length} fullest of ${load.totalNodes} enabled nodes` : "Live keys against max users, per enabled node"}
                </CardDescription>
              </CardHeader>
              <CardContent>
                <NodeLoadChart data={load.nodes} className="h-72" />
              </CardContent>
            </Card>
            <Card>
              <CardHeader>
                <CardTitle>What the system did</CardTitle>
                <CardDescription>Health transitions, held failovers, capacity and reconciler findings</CardDescription>
              </CardHeader>
              <CardContent>
                <EventList items={events.items} emptyText="Nothing has happened yet. Transitions appear here after health sweeps." />
              </CardContent>
            </Card>
          </div>

          <div className="flex items-center justify-between gap-4">
            <h2 className="text-lg font-semibold">Health over time</h2>
            <Tabs value={range} onValueChange={(v) => setRange(v as Range)}>
              <TabsList aria-label="Time range">
                {RANGES.map((r) => (
                  <TabsTrigger key={r} value={r}>
                    {r}
                  </TabsTrigger>
                ))}
              </TabsList>
            </Tabs>
          </div>
          <div className="grid gap-4 xl:grid-cols-2">
            <Card>
              <CardHeader>
                <CardTitle>Latency per node</CardTitle>
                <CardDescription>
                  {latency && latency.totalNodes > latency.series.length ? `The ${latency.series.length} slowest of ${latency.totalNodes} nodes now` : "Panel round trip of successful checks"}
                </CardDescription>
                <CardAction>
                  <ActivityIcon aria-hidden className="size-4 text-muted-foreground" />
                </CardAction>
              </CardHeader>
              <CardContent>
                <TimeSeriesChart data={latency?.points ?? []} series={latency?.series ?? []} unit="ms" className="h-72" />
              </CardContent>
            </Card>
            <Card>
              <CardHeader>
                <CardTitle>Health timeline</CardTitle>
                <CardDescription>
                  {timeline && timeline.totalNodes > timeline.rows.length ? `${timeline.rows.length} of ${timeline.totalNodes} nodes: troubled ones first` : "Up and down bands per node"}
                </CardDescription>
              </CardHeader>
              <CardContent className="min-h-72">
                {timeline ? <HealthTimeline rows={timeline.rows} from={timeline.from} to={timeline.to} /> : null}
              </CardContent>
            </Card>
          </div>

          <div className="grid gap-4 xl:grid-cols-2">
            <Card>
              <CardHeader>
                <CardTitle>Keys issued per day</CardTitle>
                <CardDescription>Last 30 days (UTC)</CardDescription>
              </CardHeader>
              <CardContent>
                <DailyBarChart data={daily.keys} series={[{ key: "keys", label: "Keys" }]} className="h-56" />
              </CardContent>
            </Card>
            <Card>
              <CardHeader>
                <CardTitle>Migrations per day</CardTitle>
                <CardDescription>Users moved, by what moved them</CardDescription>
              </CardHeader>
              <CardContent>
                <DailyBarChart data={daily.moves} series={MOVE_SERIES} isStacked className="h-56" />
              </CardContent>
            </Card>
          </div>
        </>
      )}
    </>
  );
}
