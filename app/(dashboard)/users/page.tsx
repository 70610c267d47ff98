import { UsersIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { serverApi } from "@/app/_trpc/server";
import { getTranslator } from "@/components/i18n/server";
import { buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { Select } from "@/components/ui/select";
import { requireActor } from "@/server/auth/session";
import { hasRole } from "@/server/services/actor";
import { CreateUserButton } from "./_components/create-user-button";
import { UsersTable } from "./_components/users-table";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("nav.users") };
}

const PAGE_SIZE = 25;
const STATUSES = ["active", "disabled", "expired", "over_quota"] as const;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function UsersPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requireActor();
  const canManage = hasRole(actor, "admin");
  const params = await searchParams;
  const query = one(params.q).trim().slice(0, 64);
  const nodeId = UUID.test(one(params.node)) ? one(params.node) : "";
  const status = STATUSES.find((s) => s === one(params.status));
  const expiringSoon = one(params.expiring) === "1";
  const page = Math.max(1, Number.parseInt(one(params.page), 10) || 1);
  const api = await serverApi();
  const { t } = await getTranslator();
  const [users, nodes] = await Promise.all([
    api.users.search({ query: query || undefined, nodeId: nodeId || undefined, status, expiringSoon: expiringSoon || undefined, page, pageSize: PAGE_SIZE }),
    api.nodes.list(),
  ]);
  const isFiltered = Boolean(query || nodeId || status || expiringSoon);

  return (
    <>
      <PageHeader
        title={t("nav.users")}
        description={t("users.description")}
        actions={
          canManage ? (
            <CreateUserButton
              nodes={nodes.map(({ id, name, healthState, adminState, reservedCount, maxUsers }) => ({ id, name, healthState, adminState, reservedCount, maxUsers }))}
            />
          ) : null
        }
      />
      <form className="flex flex-wrap items-center gap-3" role="search" aria-label={t("users.searchLabel")}>
        <Input name="q" defaultValue={query} placeholder={t("users.searchPlaceholder")} aria-label={t("users.searchAria")} className="w-64" />
        <Select name="node" defaultValue={nodeId} aria-label={t("users.filter.node")} className="w-44">
          <option value="">{t("users.filter.anyNode")}</option>
          {nodes.map((n) => (
            <option key={n.id} value={n.id}>
              {n.name}
            </option>
          ))}
        </Select>
        <Select name="status" defaultValue={status ?? ""} aria-label={t("users.filter.status")} className="w-40">
          <option value="">{t("users.filter.anyStatus")}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`access.${s}`)}
            </option>
          ))}
        </Select>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="expiring" value="1" defaultChecked={expiringSoon} className="size-4 accent-primary" />
          {t("users.filter.expiringSoon")}
        </label>
        <button type="submit" className={buttonVariants({ variant: "secondary" })}>
          {t("common.search")}
        </button>
        {isFiltered ? (
          <Link href="/users" className={buttonVariants({ variant: "ghost" })}>
            {t("common.clear")}
          </Link>
        ) : null}
        <span className="ml-auto text-sm text-muted-foreground tabular-nums">{t("users.count", { count: users.total })}</span>
      </form>
      {users.total === 0 ? (
        <EmptyState
          icon={UsersIcon}
          title={t(isFiltered ? "users.empty.filteredTitle" : "users.empty.title")}
          description={t(isFiltered ? "users.empty.filtered" : "users.empty.description")}
        />
      ) : (
        <Card className="gap-0 py-0">
          <UsersTable rows={users.rows} canManage={canManage} />
          <div className="border-t px-4 py-3">
            <Pagination page={page} pageCount={Math.ceil(users.total / PAGE_SIZE)} totalItems={users.total} pageSize={PAGE_SIZE} />
          </div>
        </Card>
      )}
    </>
  );
}
