import { UsersIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { serverApi } from "@/app/_trpc/server";
import { formatDate } from "@/components/i18n/format";
import { getTranslator } from "@/components/i18n/server";
import { labelOf } from "@/components/i18n/translate";
import { buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { Badge } from "@/components/ui/badge";
import { HealthBadge, type HealthState } from "@/components/ui/status-badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { requireActor } from "@/server/auth/session";
import { hasRole } from "@/server/services/actor";
import { UserActions } from "./_components/user-actions";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("nav.users") };
}

const PAGE_SIZE = 25;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

export default async function UsersPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requireActor();
  const canManage = hasRole(actor, "admin");
  const params = await searchParams;
  const query = one(params.q).trim().slice(0, 64);
  const page = Math.max(1, Number.parseInt(one(params.page), 10) || 1);
  const api = await serverApi();
  const { t, locale } = await getTranslator();
  const users = await api.users.search({ query: query || undefined, page, pageSize: PAGE_SIZE });

  return (
    <>
      <PageHeader title={t("nav.users")} description={t("users.description")} />
      <form className="flex flex-wrap items-center gap-3" role="search" aria-label={t("users.searchLabel")}>
        <Input name="q" defaultValue={query} placeholder={t("users.searchPlaceholder")} aria-label={t("users.searchAria")} className="w-72" />
        <button type="submit" className={buttonVariants({ variant: "secondary" })}>
          {t("common.search")}
        </button>
        {query ? (
          <Link href="/users" className={buttonVariants({ variant: "ghost" })}>
            {t("common.clear")}
          </Link>
        ) : null}
        <span className="ml-auto text-sm text-muted-foreground tabular-nums">{t("users.count", { count: users.total })}</span>
      </form>
      {users.total === 0 ? (
        <EmptyState
          icon={UsersIcon}
          title={t(query ? "users.empty.filteredTitle" : "users.empty.title")}
          description={t(query ? "users.empty.filtered" : "users.empty.description")}
        />
      ) : (
        <Card className="gap-0 py-0">
          <Table aria-label={t("nav.users")}>
            <TableHeader>
              <TableRow>
                <TableHead>{t("users.col.user")}</TableHead>
                <TableHead>{t("common.node")}</TableHead>
                <TableHead>{t("users.col.key")}</TableHead>
                <TableHead>{t("users.col.subscription")}</TableHead>
                <TableHead>{t("common.since")}</TableHead>
                <TableHead className="w-px">
                  <span className="sr-only">{t("common.actions")}</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {users.rows.map((user) => (
                <TableRow key={user.id} data-testid={`user-row-${user.telegramId}`}>
                  <TableCell>
                    <div className="font-mono text-xs">{user.telegramId}</div>
                    <div className="text-xs text-muted-foreground">{user.username ? `@${user.username}` : t("users.noUsername")}</div>
                  </TableCell>
                  <TableCell>
                    {user.node ? (
                      <div className="grid gap-1">
                        <Link href={`/nodes/${user.node.id}`} className="font-medium hover:underline">
                          {user.node.name}
                        </Link>
                        <HealthBadge state={user.node.healthState as HealthState} />
                      </div>
                    ) : (
                      <span className="text-muted-foreground">{t("users.noKey")}</span>
                    )}
                  </TableCell>
                  <TableCell>
                    {user.assignment?.key ? (
                      <div className="flex items-center gap-2">
                        <code className="block max-w-56 truncate font-mono text-xs" title={user.assignment.key}>
                          {user.assignment.key}
                        </code>
                        <CopyButton value={user.assignment.key} aria-label={t("users.copyKey", { user: user.telegramId })} />
                      </div>
                    ) : user.assignment ? (
                      <Badge variant="outline">{labelOf(t, "assignmentState", user.assignment.state)}</Badge>
                    ) : (
                      <span className="text-muted-foreground">—</span>
                    )}
                  </TableCell>
                  <TableCell>
                    <div className="flex items-center gap-2">
                      <code className="block max-w-48 truncate font-mono text-xs" title={user.subscriptionUrl}>
                        {user.subscriptionUrl}
                      </code>
                      <CopyButton value={user.subscriptionUrl} aria-label={t("users.copySubscription", { user: user.telegramId })} />
                    </div>
                  </TableCell>
                  <TableCell className="text-xs text-muted-foreground">{formatDate(locale, user.createdAt)}</TableCell>
                  {/* Not nowrap like other cells: the dialogs opened from here inherit white-space. */}
                  <TableCell className="whitespace-normal">
                    <UserActions user={user} canManage={canManage} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <div className="border-t px-4 py-3">
            <Pagination page={page} pageCount={Math.ceil(users.total / PAGE_SIZE)} totalItems={users.total} pageSize={PAGE_SIZE} />
          </div>
        </Card>
      )}
    </>
  );
}
