import { UsersIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { serverApi } from "@/app/_trpc/server";
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

export const metadata: Metadata = { title: "Users" };

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
  const users = await api.users.search({ query: query || undefined, page, pageSize: PAGE_SIZE });

  return (
    <>
      <PageHeader title="Users" description="VPN users as the bot created them: where each one is, their key and subscription, and why they are there." />
      <form className="flex flex-wrap items-center gap-3" role="search" aria-label="Search users">
        <Input name="q" defaultValue={query} placeholder="Telegram id or @username" aria-label="Telegram id or username" className="w-72" />
        <button type="submit" className={buttonVariants({ variant: "secondary" })}>
          Search
        </button>
        {query ? (
          <Link href="/users" className={buttonVariants({ variant: "ghost" })}>
            Clear
          </Link>
        ) : null}
        <span className="ml-auto text-sm text-muted-foreground tabular-nums">{users.total.toLocaleString()} user{users.total === 1 ? "" : "s"}</span>
      </form>
      {users.total === 0 ? (
        <EmptyState
          icon={UsersIcon}
          title={query ? "No user matches" : "No users yet"}
          description={
            query
              ? "Search by the exact Telegram id, or the start of the username."
              : "Users appear when the bot asks for their key: POST /api/bot/keys with the bot token (see /api/openapi.json)."
          }
        />
      ) : (
        <Card className="gap-0 py-0">
          <Table aria-label="Users">
            <TableHeader>
              <TableRow>
                <TableHead>User</TableHead>
                <TableHead>Node</TableHead>
                <TableHead>Key</TableHead>
                <TableHead>Subscription</TableHead>
                <TableHead>Since</TableHead>
                <TableHead className="w-px">
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {users.rows.map((user) => (
                <TableRow key={user.id} data-testid={`user-row-${user.telegramId}`}>
                  <TableCell>
                    <div className="font-mono text-xs">{user.telegramId}</div>
                    <div className="text-xs text-muted-foreground">{user.username ? `@${user.username}` : "no username"}</div>
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
                      <span className="text-muted-foreground">no key</span>
                    )}
                  </TableCell>
                  <TableCell>
                    {user.assignment?.key ? (
                      <div className="flex items-center gap-2">
                        <code className="block max-w-56 truncate font-mono text-xs" title={user.assignment.key}>
                          {user.assignment.key}
                        </code>
                        <CopyButton value={user.assignment.key} aria-label={`Copy key of ${user.telegramId}`} />
                      </div>
                    ) : user.assignment ? (
                      <Badge variant="outline">{user.assignment.state}</Badge>
                    ) : (
                      <span className="text-muted-foreground">—</span>
                    )}
                  </TableCell>
                  <TableCell>
                    <div className="flex items-center gap-2">
                      <code className="block max-w-48 truncate font-mono text-xs" title={user.subscriptionUrl}>
                        {user.subscriptionUrl}
                      </code>
                      <CopyButton value={user.subscriptionUrl} aria-label={`Copy subscription URL of ${user.telegramId}`} />
                    </div>
                  </TableCell>
                  <TableCell className="text-xs text-muted-foreground">{user.createdAt.toLocaleDateString()}</TableCell>
                  <TableCell>
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
