import { ArrowLeftIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { serverApi } from "@/app/_trpc/server";
import { formatDate, formatDateTime, formatNumber, formatTime } from "@/components/i18n/format";
import { renderText } from "@/components/i18n/message-ref";
import { getTranslator } from "@/components/i18n/server";
import { labelOf } from "@/components/i18n/translate";
import { NodeLoad, NodeVersions } from "@/components/nodes/node-load";
import { EventList } from "@/components/stats/event-list";
import { Badge } from "@/components/ui/badge";
import { buttonVariants } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { AdminStateBadge, HealthBadge } from "@/components/ui/status-badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { requireActor } from "@/server/auth/session";
import { hasRole } from "@/server/services/actor";
import { AutoRefresh } from "../../_components/auto-refresh";
import { TrafficCard } from "../../_components/traffic-card";
import { ReconcileButton } from "../../_components/reconcile-button";
import { NodeActions } from "../_components/node-actions";
import { NodeCharts } from "./_components/node-charts";
import { AdoptCard } from "./_components/adopt-card";
import { WhatIfCard } from "./_components/what-if-card";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("node.metaTitle") };
}

const USERS_PAGE_SIZE = 20;
type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function NodePage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const actor = await requireActor();
  const canManage = hasRole(actor, "admin");
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  const sp = await searchParams;
  const usersPage = Math.max(1, Number.parseInt(String(sp.upage ?? ""), 10) || 1);
  const api = await serverApi();
  const { t, locale } = await getTranslator();
  const node = await api.nodes.get({ id }).catch((error: unknown) => {
    if ((error as { code?: string }).code === "NOT_FOUND") notFound();
    throw error;
  });
  const [latency, timeline, checks, users, events, traffic] = await Promise.all([
    api.stats.latency({ range: "24h", nodeId: id }),
    api.stats.healthTimeline({ range: "24h", nodeId: id }),
    api.stats.recentChecks({ nodeId: id }),
    api.stats.nodeUsers({ nodeId: id, page: usersPage, pageSize: USERS_PAGE_SIZE }),
    api.stats.events({ nodeId: id, pageSize: 6 }),
    api.stats.traffic({ range: "24h", nodeId: id }),
  ]);
  const online = checks[0]?.onlineClients ?? null;

  return (
    <>
      <Link href="/nodes" className={buttonVariants({ variant: "ghost", size: "sm", className: "-ml-2 w-fit" })}>
        <ArrowLeftIcon aria-hidden /> {t("nav.nodes")}
      </Link>
      <PageHeader
        title={node.name}
        description={`${node.location ?? t("node.noLocation")} · ${node.panelUrl}`}
        actions={
          canManage ? (
            <>
              <ReconcileButton nodeId={node.id} />
              <NodeActions node={{ id: node.id, name: node.name, adminState: node.adminState, users: node.reservedCount }} variant="buttons" afterDeleteHref="/nodes" />
            </>
          ) : null
        }
      />
      <AutoRefresh />
      <section aria-label={t("node.status")} className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <Card className="gap-2 px-5 py-4">
          <p className="text-sm text-muted-foreground">{t("nodes.health")}</p>
          <div className="flex flex-wrap gap-2">
            <HealthBadge state={node.healthState} />
            <AdminStateBadge state={node.adminState} />
            {node.needsReconcile ? <Badge variant="warning">{t("node.waitingReconcile")}</Badge> : null}
          </div>
          <p className="line-clamp-3 text-xs text-muted-foreground" title={node.lastError ?? undefined} data-testid="node-last-error">
            {renderText(t, node.lastErrorRef, node.lastError) ??
              (node.lastCheckAt ? t("node.checkedAt", { time: formatDateTime(locale, node.lastCheckAt) }) : t("node.notChecked"))}
          </p>
        </Card>
        <Card className="gap-2 px-5 py-4">
          <p className="text-sm text-muted-foreground">{t("node.load")}</p>
          <NodeLoad name={node.name} users={node.reservedCount} maxUsers={node.maxUsers} />
          <p className="text-xs text-muted-foreground">{t("node.priorityWeight", { priority: node.priority, weight: formatNumber(locale, node.weight) })}</p>
          {node.standbyReservedCount > 0 ? (
            <p className="text-xs text-muted-foreground" data-testid="node-standbys">
              {t("node.standbys", { count: formatNumber(locale, node.standbyReservedCount), max: formatNumber(locale, node.standbyMaxUsers) })}
            </p>
          ) : null}
        </Card>
        <Card className="gap-2 px-5 py-4">
          <p className="text-sm text-muted-foreground">{t("node.latencyNow")}</p>
          <p className="text-2xl font-semibold tabular-nums">{node.lastLatencyMs === null ? "—" : t("common.ms", { value: node.lastLatencyMs })}</p>
          <p className="text-xs text-muted-foreground">{t("node.xray", { state: node.xrayState ? labelOf(t, "xrayState", node.xrayState) : t("node.xrayUnknown") })}</p>
          <p className="text-xs text-muted-foreground">{online === null ? t("node.onlineUnknown") : t("node.onlineNow", { count: online })}</p>
        </Card>
        <Card className="gap-2 px-5 py-4">
          <p className="text-sm text-muted-foreground">{t("node.panel")}</p>
          <NodeVersions panelVersion={node.panelVersion} apiGeneration={node.apiGeneration} xrayVersion={node.xrayVersion} />
          <p className="text-xs text-muted-foreground">
            {t("node.panelLine", {
              inbound: node.inboundId,
              tls: labelOf(t, "tlsMode", node.tlsMode),
              auth: t(node.hasApiToken ? "node.auth.token" : node.hasPassword ? "node.auth.password" : "node.auth.none"),
            })}
          </p>
        </Card>
      </section>

      <NodeCharts nodeId={node.id} initialLatency={latency} initialTimeline={timeline} />
      <TrafficCard scope={{ nodeId: node.id }} title={t("traffic.nodeTitle")} initial={traffic} />

      <div className="grid gap-4 xl:grid-cols-2">
        <Card className="min-w-0">
          <CardHeader>
            <CardTitle>{t("node.checks.title")}</CardTitle>
            <CardDescription>{checks.length ? t("node.checks.description", { count: checks.length }) : t("node.checks.descriptionNone")}</CardDescription>
          </CardHeader>
          <CardContent>
            {checks.length === 0 ? (
              <p className="rounded-lg border border-dashed px-4 py-8 text-center text-sm text-muted-foreground">{t("node.checks.empty")}</p>
            ) : (
              <Table aria-label={t("node.checks.title")} stacked>
                <TableHeader>
                  <TableRow>
                    <TableHead>{t("node.checks.time")}</TableHead>
                    <TableHead>{t("node.checks.result")}</TableHead>
                    <TableHead className="text-right">{t("nodes.col.latency")}</TableHead>
                    <TableHead className="text-right">{t("node.checks.cpu")}</TableHead>
                    <TableHead className="text-right">{t("node.checks.online")}</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {checks.map((check) => (
                    <TableRow key={check.id}>
                      <TableCell data-label={t("node.checks.time")} className="text-xs tabular-nums">
                        {formatTime(locale, check.checkedAt)}
                      </TableCell>
                      <TableCell data-label={t("node.checks.result")}>
                        {check.isOk ? (
                          <Badge variant="success" dot>
                            {t("node.checks.ok")}
                          </Badge>
                        ) : (
                          <span className="flex items-center gap-2 max-sm:flex-wrap">
                            <Badge variant="destructive" dot>
                              {t("node.checks.failed")}
                            </Badge>
                            <span className="max-w-56 truncate text-xs text-muted-foreground max-sm:max-w-full max-sm:whitespace-normal" title={renderText(t, check.errorRef, check.error) ?? undefined}>
                              {renderText(t, check.errorRef, check.error)}
                            </span>
                          </span>
                        )}
                      </TableCell>
                      <TableCell data-label={t("nodes.col.latency")} className="text-right tabular-nums max-sm:text-left">
                        {check.latencyMs === null ? "—" : t("common.ms", { value: check.latencyMs })}
                      </TableCell>
                      <TableCell data-label={t("node.checks.cpu")} className="text-right tabular-nums max-sm:text-left">
                        {check.cpuPercent === null ? "—" : `${Math.round(check.cpuPercent)}%`}
                      </TableCell>
                      <TableCell data-label={t("node.checks.online")} className="text-right tabular-nums max-sm:text-left">
                        {check.onlineClients ?? "—"}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </CardContent>
        </Card>
        <Card className="min-w-0">
          <CardHeader>
            <CardTitle>{t("node.users.title")}</CardTitle>
            <CardDescription>{t("node.users.description", { count: users.total })}</CardDescription>
            {users.total > 0 ? (
              <CardAction>
                <Link href={`/users?node=${node.id}`} className="text-sm text-primary hover:underline">
                  {t("node.users.plans")}
                </Link>
              </CardAction>
            ) : null}
          </CardHeader>
          <CardContent className="grid gap-3">
            {users.total === 0 ? (
              <p className="rounded-lg border border-dashed px-4 py-8 text-center text-sm text-muted-foreground">
                {t("node.users.empty")}
              </p>
            ) : (
              <>
                <Table aria-label={t("node.users.title")} stacked>
                  <TableHeader>
                    <TableRow>
                      <TableHead>{t("common.telegramId")}</TableHead>
                      <TableHead>{t("node.users.username")}</TableHead>
                      <TableHead>{t("node.users.placedBy")}</TableHead>
                      <TableHead>{t("node.users.since")}</TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {users.items.map((u) => (
                      <TableRow key={u.userId}>
                        <TableCell data-label={t("common.telegramId")}>
                          <Link href={`/users/${u.telegramId}`} className="font-mono text-xs hover:underline">
                            {u.telegramId}
                          </Link>
                        </TableCell>
                        <TableCell data-label={t("node.users.username")}>{u.username ? `@${u.username}` : "—"}</TableCell>
                        <TableCell data-label={t("node.users.placedBy")} className="text-xs">
                          {u.strategy ? labelOf(t, "strategy", u.strategy) : "—"}
                          {u.state === "pending" ? t("node.users.pending") : ""}
                        </TableCell>
                        <TableCell data-label={t("node.users.since")} className="text-xs text-muted-foreground">
                          {formatDate(locale, u.since)}
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
                <Pagination page={usersPage} pageCount={Math.ceil(users.total / USERS_PAGE_SIZE)} totalItems={users.total} pageSize={USERS_PAGE_SIZE} pageParam="upage" />
              </>
            )}
          </CardContent>
        </Card>
      </div>

      <WhatIfCard nodeId={node.id} nodeName={node.name} />
      {canManage ? <AdoptCard nodeId={node.id} /> : null}

      <Card>
        <CardHeader>
          <CardTitle>{t("node.events.title")}</CardTitle>
          <CardDescription>{t("node.events.description")}</CardDescription>
        </CardHeader>
        <CardContent>
          <EventList items={events.items} emptyText={t("node.events.empty")} />
        </CardContent>
      </Card>
    </>
  );
}
