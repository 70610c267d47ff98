import { ServerIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { serverApi } from "@/app/_trpc/server";
import { formatTime } from "@/components/i18n/format";
import { renderText } from "@/components/i18n/message-ref";
import { getTranslator } from "@/components/i18n/server";
import { NodeLoad, NodeVersions } from "@/components/nodes/node-load";
import { buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { Select } from "@/components/ui/select";
import { AdminStateBadge, HealthBadge } from "@/components/ui/status-badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { requireActor } from "@/server/auth/session";
import { hasRole } from "@/server/services/actor";
import { AutoRefresh } from "../_components/auto-refresh";
import { ReconcileButton } from "../_components/reconcile-button";
import { AddNodeButton } from "./_components/add-node-button";
import { NodeActions } from "./_components/node-actions";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("nav.nodes") };
}

const PAGE_SIZE = 50;
const HEALTH = ["healthy", "degraded", "unhealthy", "auth_error", "misconfigured", "unknown"] as const;
const ADMIN_STATES = ["active", "draining", "disabled"] as const;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";
const pick = <T extends string>(value: string, allowed: readonly T[]) => (allowed as readonly string[]).includes(value) ? (value as T) : undefined;

export default async function NodesPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requireActor();
  const canManage = hasRole(actor, "admin");
  const params = await searchParams;
  const query = one(params.q).trim();
  const health = pick(one(params.health), HEALTH);
  const adminState = pick(one(params.state), ADMIN_STATES);
  const page = Math.max(1, Number.parseInt(one(params.page), 10) || 1);
  const api = await serverApi();
  const { t, locale } = await getTranslator();
  const nodes = await api.stats.nodeRows({ page, pageSize: PAGE_SIZE, query: query || undefined, health, adminState });
  const isFiltered = Boolean(query || health || adminState);

  return (
    <>
      <PageHeader
        title={t("nav.nodes")}
        description={t("nodes.description")}
        actions={
          canManage ? (
            <>
              <ReconcileButton />
              <AddNodeButton isInitiallyOpen={one(params.add) === "1"} />
            </>
          ) : null
        }
      />
      <AutoRefresh />
      <form className="flex flex-wrap items-end gap-3" role="search" aria-label={t("nodes.filterLabel")}>
        <Input name="q" defaultValue={query} placeholder={t("nodes.search")} aria-label={t("nodes.search")} className="w-64" />
        <Select name="health" defaultValue={health ?? ""} aria-label={t("nodes.health")} className="w-52">
          <option value="">{t("nodes.anyHealth")}</option>
          {HEALTH.map((h) => (
            <option key={h} value={h}>
              {t(`healthValue.${h}`).replace("_", " ")}
            </option>
          ))}
        </Select>
        <Select name="state" defaultValue={adminState ?? ""} aria-label={t("nodes.adminState")} className="w-44">
          <option value="">{t("nodes.anyState")}</option>
          {ADMIN_STATES.map((s) => (
            <option key={s} value={s}>
              {t(`adminStateValue.${s}`)}
            </option>
          ))}
        </Select>
        <button type="submit" className={buttonVariants({ variant: "secondary" })}>
          {t("common.filter")}
        </button>
        {isFiltered ? (
          <Link href="/nodes" className={buttonVariants({ variant: "ghost" })}>
            {t("common.clear")}
          </Link>
        ) : null}
      </form>

      {nodes.total === 0 ? (
        <EmptyState
          icon={ServerIcon}
          title={isFiltered ? t("nodes.empty.filteredTitle") : t("nodes.empty.title")}
          description={
            isFiltered
              ? t("nodes.empty.filtered")
              : canManage
                ? t("nodes.empty.manage", { command: "npm run nodes:import -- nodes.yaml" })
                : t("nodes.empty.view")
          }
        />
      ) : (
        <Card className="gap-0 py-0">
          <Table aria-label={t("nav.nodes")} stacked>
            <TableHeader>
              <TableRow>
                <TableHead>{t("common.node")}</TableHead>
                <TableHead>{t("nodes.health")}</TableHead>
                <TableHead>{t("nodes.col.load")}</TableHead>
                <TableHead className="text-right">{t("nodes.col.latency")}</TableHead>
                <TableHead>{t("nodes.col.versions")}</TableHead>
                <TableHead>{t("nodes.col.state")}</TableHead>
                <TableHead>{t("nodes.col.lastCheck")}</TableHead>
                {canManage ? (
                  <TableHead className="w-px">
                    <span className="sr-only">{t("common.actions")}</span>
                  </TableHead>
                ) : null}
              </TableRow>
            </TableHeader>
            <TableBody>
              {nodes.items.map((node) => (
                <TableRow key={node.id} data-testid={`node-row-${node.name}`}>
                  <TableCell data-cell="title">
                    <Link href={`/nodes/${node.id}`} className="font-medium hover:underline">
                      {node.name}
                    </Link>
                    <div className="text-xs text-muted-foreground">{node.location ?? t("nodes.noLocation")}</div>
                  </TableCell>
                  <TableCell data-label={t("nodes.health")}>
                    <div className="grid gap-1">
                      <HealthBadge state={node.healthState} />
                      {node.lastError && node.healthState !== "healthy" ? (
                        <span className="max-w-48 truncate text-xs text-muted-foreground" title={renderText(t, node.lastErrorRef, node.lastError) ?? undefined}>
                          {renderText(t, node.lastErrorRef, node.lastError)}
                        </span>
                      ) : null}
                    </div>
                  </TableCell>
                  <TableCell data-label={t("nodes.col.load")}>
                    <NodeLoad name={node.name} users={node.users} maxUsers={node.maxUsers} />
                  </TableCell>
                  <TableCell data-label={t("nodes.col.latency")} className="text-right tabular-nums max-sm:text-left">{node.lastLatencyMs === null ? "—" : t("common.ms", { value: node.lastLatencyMs })}</TableCell>
                  <TableCell data-label={t("nodes.col.versions")}>
                    <NodeVersions panelVersion={node.panelVersion} apiGeneration={node.apiGeneration} xrayVersion={node.xrayVersion} />
                  </TableCell>
                  <TableCell data-label={t("nodes.col.state")}>
                    <AdminStateBadge state={node.adminState} />
                  </TableCell>
                  <TableCell data-label={t("nodes.col.lastCheck")} className="text-xs text-muted-foreground">
                    {node.lastCheckAt ? (
                      <time suppressHydrationWarning dateTime={node.lastCheckAt.toISOString()}>
                        {formatTime(locale, node.lastCheckAt)}
                      </time>
                    ) : (
                      t("common.never")
                    )}
                  </TableCell>
                  {canManage ? (
                    <TableCell data-cell="actions" className="whitespace-normal">
                      {/* Not nowrap like other cells: the dialogs opened from here inherit white-space. */}
                      <NodeActions node={node} />
                    </TableCell>
                  ) : null}
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <div className="border-t px-4 py-3">
            <Pagination page={page} pageCount={Math.ceil(nodes.total / PAGE_SIZE)} totalItems={nodes.total} pageSize={PAGE_SIZE} />
          </div>
        </Card>
      )}
    </>
  );
}
