"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { ReactNode } from "react";
import { useTRPC } from "@/app/_trpc/react";
import type { RouterOutputs } from "@/app/(dashboard)/_components/router-outputs";
import { formatDate, formatNumber } from "@/components/i18n/format";
import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { AccessBadge } from "@/components/users/access-badge";
import { UsageMeter } from "@/components/users/usage-meter";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { TrafficCard } from "./traffic-card";

type Overview = RouterOutputs["stats"]["trafficOverview"];
type TrafficUser = Overview["topUsers"][number];

function UserList({ users, empty, detail }: { users: TrafficUser[]; empty: string; detail: (user: TrafficUser) => ReactNode }) {
  if (users.length === 0) return <p className="rounded-lg border border-dashed px-4 py-6 text-center text-sm text-muted-foreground">{empty}</p>;
  return (
    <ul className="grid gap-3">
      {users.map((user) => {
        const who = user.username ? `@${user.username}` : String(user.telegramId);
        return (
          <li key={user.telegramId} className="flex items-center justify-between gap-3">
            <div className="grid min-w-0 gap-0.5">
              <Link href={`/users/${user.telegramId}`} className="truncate text-sm font-medium hover:underline">
                {who}
              </Link>
              <AccessBadge status={user.status} />
            </div>
            <div className="shrink-0 text-right">{detail(user)}</div>
          </li>
        );
      })}
    </ul>
  );
}

/** Fleet throughput, who is online now, the heaviest users of the period and whose plan ends soon. */
export function TrafficOverview({ initial, initialTraffic }: { initial: Overview; initialTraffic: RouterOutputs["stats"]["traffic"] }) {
  const trpc = useTRPC();
  const t = useT();
  const locale = useLocale();
  const overview = useQuery(trpc.stats.trafficOverview.queryOptions(undefined, { refetchInterval: 30_000, placeholderData: keepPreviousData, initialData: initial })).data;

  return (
    <>
      <div className="grid gap-4 xl:grid-cols-[3fr_2fr]">
        <TrafficCard title={t("traffic.fleetTitle")} initial={initialTraffic} />
        <Card>
          <CardHeader>
            <CardTitle>{t("overview.online.title")}</CardTitle>
            <CardDescription>{t("overview.online.description", { count: overview.online.nodesReporting })}</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4">
            <p className="text-3xl font-semibold tabular-nums" data-testid="online-users">
              {formatNumber(locale, overview.online.users)}
            </p>
            {overview.online.byNode.length > 0 ? (
              <ul className="grid gap-1 text-sm" aria-label={t("overview.online.byNode")}>
                {overview.online.byNode.map((node) => (
                  <li key={node.nodeId} className="flex justify-between gap-3">
                    <Link href={`/nodes/${node.nodeId}`} className="truncate hover:underline">
                      {node.name}
                    </Link>
                    <span className="tabular-nums">{formatNumber(locale, node.online)}</span>
                  </li>
                ))}
              </ul>
            ) : null}
          </CardContent>
        </Card>
      </div>
      <div className="grid gap-4 xl:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>{t("overview.topUsers.title")}</CardTitle>
            <CardDescription>{t("overview.topUsers.description")}</CardDescription>
          </CardHeader>
          <CardContent>
            <UserList
              users={overview.topUsers}
              empty={t("overview.topUsers.empty")}
              detail={(user) => (
                <UsageMeter usedBytes={user.usage.usedBytes} limitBytes={user.plan.trafficLimitBytes} label={t("users.usageOf", { user: user.telegramId })} />
              )}
            />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>{t("overview.expiring.title")}</CardTitle>
            <CardDescription>{t("overview.expiring.description", { count: overview.expiring.total, days: overview.expiring.days })}</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-3">
            <UserList
              users={overview.expiring.users}
              empty={t("overview.expiring.empty", { days: overview.expiring.days })}
              detail={(user) => <span className="text-sm tabular-nums">{user.plan.expiresAt ? formatDate(locale, user.plan.expiresAt) : ""}</span>}
            />
            {overview.expiring.total > overview.expiring.users.length ? (
              <Link href="/users?expiring=1" className="text-sm text-primary hover:underline">
                {t("overview.expiring.all", { count: overview.expiring.total })}
              </Link>
            ) : null}
          </CardContent>
        </Card>
      </div>
    </>
  );
}
