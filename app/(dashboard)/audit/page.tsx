import { ScrollTextIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { serverApi } from "@/app/_trpc/server";
import { formatDateTime } from "@/components/i18n/format";
import { getTranslator } from "@/components/i18n/server";
import { labelOf } from "@/components/i18n/translate";
import { buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { Select } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { requireActor } from "@/server/auth/session";
import { AuditChange } from "./_components/audit-change";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("nav.audit") };
}

const PAGE_SIZE = 25;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";
const dayStart = (value: string) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : undefined);

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  await requireActor();
  const params = await searchParams;
  const filters = {
    action: one(params.action).slice(0, 100) || undefined,
    actor: one(params.actor).trim().slice(0, 200) || undefined,
    targetType: one(params.target).slice(0, 50) || undefined,
    from: dayStart(one(params.from)),
    // "to" is inclusive of the whole day.
    to: dayStart(one(params.to)) ? new Date(dayStart(one(params.to))!.getTime() + 86_400_000) : undefined,
  };
  const page = Math.max(1, Number.parseInt(one(params.page), 10) || 1);
  const api = await serverApi();
  const { t, locale } = await getTranslator();
  const [audit, facets] = await Promise.all([api.audit.list({ ...filters, page, pageSize: PAGE_SIZE }), api.audit.facets()]);
  const domains = [...new Set(facets.actions.map((a) => a.split(".")[0]!))];
  const isFiltered = Object.values(filters).some(Boolean);

  return (
    <>
      <PageHeader title={t("nav.audit")} description={t("audit.description")} />
      <form className="flex flex-wrap items-end gap-3" role="search" aria-label={t("audit.filterLabel")}>
        <Select name="action" defaultValue={filters.action ?? ""} aria-label={t("audit.action")} className="w-52">
          <option value="">{t("audit.anyAction")}</option>
          {domains.map((d) => (
            <option key={d} value={`${d}.`}>
              {t("audit.domainAll", { domain: labelOf(t, "auditDomain", d) })}
            </option>
          ))}
          {facets.actions.map((a) => (
            <option key={a} value={a}>
              {labelOf(t, "auditAction", a)}
            </option>
          ))}
        </Select>
        <Select name="target" defaultValue={filters.targetType ?? ""} aria-label={t("audit.target")} className="w-40">
          <option value="">{t("audit.anyTarget")}</option>
          {facets.targetTypes.map((type) => (
            <option key={type} value={type}>
              {labelOf(t, "auditTarget", type)}
            </option>
          ))}
        </Select>
        <Input name="actor" defaultValue={filters.actor ?? ""} placeholder={t("audit.admin")} aria-label={t("audit.admin")} className="w-40" />
        <Input name="from" type="date" defaultValue={one(params.from)} aria-label={t("audit.fromDay")} className="w-40" />
        <Input name="to" type="date" defaultValue={one(params.to)} aria-label={t("audit.toDay")} className="w-40" />
        <button type="submit" className={buttonVariants({ variant: "secondary" })}>
          {t("common.filter")}
        </button>
        {isFiltered ? (
          <Link href="/audit" className={buttonVariants({ variant: "ghost" })}>
            {t("common.clear")}
          </Link>
        ) : null}
      </form>
      {audit.total === 0 ? (
        <EmptyState
          icon={ScrollTextIcon}
          title={t(isFiltered ? "audit.empty.filteredTitle" : "audit.empty.title")}
          description={t(isFiltered ? "audit.empty.filtered" : "audit.empty.description")}
        />
      ) : (
        <Card className="gap-0 py-0">
          <Table aria-label={t("nav.audit")} stacked>
            <TableHeader>
              <TableRow>
                <TableHead>{t("audit.col.when")}</TableHead>
                <TableHead>{t("audit.col.who")}</TableHead>
                <TableHead>{t("audit.action")}</TableHead>
                <TableHead>{t("audit.target")}</TableHead>
                <TableHead>{t("audit.col.change")}</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {audit.items.map((row) => (
                <TableRow key={row.id} className="align-top">
                  <TableCell data-label={t("audit.col.when")} className="text-xs tabular-nums">
                    {formatDateTime(locale, row.createdAt)}
                  </TableCell>
                  <TableCell data-label={t("audit.col.who")}>
                    <div className="font-medium">{row.actorName}</div>
                    <div className="text-xs text-muted-foreground">{row.ip ?? ""}</div>
                  </TableCell>
                  <TableCell data-label={t("audit.action")}>
                    <span className="text-xs" title={row.action}>
                      {labelOf(t, "auditAction", row.action)}
                    </span>
                  </TableCell>
                  <TableCell data-label={t("audit.target")} className="text-xs">
                    {row.targetType === "node" && row.targetId ? (
                      <Link href={`/nodes/${row.targetId}`} className="hover:underline">
                        {t("audit.nodeTarget", { id: row.targetId.slice(0, 8) })}
                      </Link>
                    ) : (
                      <>
                        {labelOf(t, "auditTarget", row.targetType)}{" "}
                        {row.targetType === "settings" && row.targetId ? (
                          labelOf(t, "settingsGroup", row.targetId)
                        ) : row.targetId ? (
                          <span className="font-mono text-muted-foreground">{row.targetId.slice(0, 36)}</span>
                        ) : null}
                      </>
                    )}
                  </TableCell>
                  <TableCell data-label={t("audit.col.change")} data-cell="wide" className="whitespace-normal">
                    <AuditChange before={row.before} after={row.after} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <div className="border-t px-4 py-3">
            <Pagination page={page} pageCount={Math.ceil(audit.total / PAGE_SIZE)} totalItems={audit.total} pageSize={PAGE_SIZE} />
          </div>
        </Card>
      )}
    </>
  );
}
