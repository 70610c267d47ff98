import { ServerIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { serverApi } from "@/app/_trpc/server";
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
import { AddNodeButton } from "./_components/add-node-button";
import { NodeActions } from "./_components/node-actions";

export const metadata: Metadata = { title: "Nodes" };

const PAGE_SIZE = 50;
const HEALTH = ["healthy", "degraded", "unhealthy", "auth_error", "unknown"] as const;
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
  const nodes = await api.stats.nodeRows({ page, pageSize: PAGE_SIZE, query: query || undefined, health, adminState });
  const isFiltered = Boolean(query || health || adminState);

  return (
    <>
      <PageHeader
        title="Nodes"
        description="The 3X-UI panels that make up the fleet: health from the last sweep, load against max users, versions."
        actions={canManage ? <AddNodeButton isInitiallyOpen={one(params.add) === "1"} /> : null}
      />
      <AutoRefresh />
      <form className="flex flex-wrap items-end gap-3" role="search" aria-label="Filter nodes">
        <Input name="q" defaultValue={query} placeholder="Name or location" aria-label="Name or location" className="w-64" />
        <Select name="health" defaultValue={health ?? ""} aria-label="Health" className="w-44">
          <option value="">Any health</option>
          {HEALTH.map((h) => (
            <option key={h} value={h}>
              {h.replace("_", " ")}
            </option>
          ))}
        </Select>
        <Select name="state" defaultValue={adminState ?? ""} aria-label="Admin state" className="w-44">
          <option value="">Any state</option>
          {ADMIN_STATES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </Select>
        <button type="submit" className={buttonVariants({ variant: "secondary" })}>
          Filter
        </button>
        {isFiltered ? (
          <Link href="/nodes" className={buttonVariants({ variant: "ghost" })}>
            Clear
          </Link>
        ) : null}
      </form>

      {nodes.total === 0 ? (
        <EmptyState
          icon={ServerIcon}
          title={isFiltered ? "No node matches" : "No nodes yet"}
          description={
            isFiltered
              ? "Change or clear the filters."
              : canManage
                ? "Add a 3X-UI panel with “Add node”, or import many at once with npm run nodes:import -- nodes.yaml."
                : "An admin has to add the first 3X-UI panel."
          }
        />
      ) : (
        <Card className="gap-0 py-0">
          <Table aria-label="Nodes">
            <TableHeader>
              <TableRow>
                <TableHead>Node</TableHead>
                <TableHead>Health</TableHead>
                <TableHead>Load</TableHead>
                <TableHead className="text-right">Latency</TableHead>
                <TableHead>Versions</TableHead>
                <TableHead>State</TableHead>
                <TableHead>Last check</TableHead>
                {canManage ? <TableHead className="w-px"><span className="sr-only">Actions</span></TableHead> : null}
              </TableRow>
            </TableHeader>
            <TableBody>
              {nodes.items.map((node) => (
                <TableRow key={node.id} data-testid={`node-row-${node.name}`}>
                  <TableCell>
                    <Link href={`/nodes/${node.id}`} className="font-medium hover:underline">
                      {node.name}
                    </Link>
                    <div className="text-xs text-muted-foreground">{node.location ?? "no location"}</div>
                  </TableCell>
                  <TableCell>
                    <div className="grid gap-1">
                      <HealthBadge state={node.healthState} />
                      {node.lastError && node.healthState !== "healthy" ? (
                        <span className="max-w-48 truncate text-xs text-muted-foreground" title={node.lastError}>
                          {node.lastError}
                        </span>
                      ) : null}
                    </div>
                  </TableCell>
                  <TableCell>
                    <NodeLoad name={node.name} users={node.users} maxUsers={node.maxUsers} />
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{node.lastLatencyMs === null ? "—" : `${node.lastLatencyMs} ms`}</TableCell>
                  <TableCell>
                    <NodeVersions panelVersion={node.panelVersion} apiGeneration={node.apiGeneration} xrayVersion={node.xrayVersion} />
                  </TableCell>
                  <TableCell>
                    <AdminStateBadge state={node.adminState} />
                  </TableCell>
                  <TableCell className="text-xs text-muted-foreground">
                    {node.lastCheckAt ? <time suppressHydrationWarning dateTime={node.lastCheckAt.toISOString()}>{node.lastCheckAt.toLocaleTimeString()}</time> : "never"}
                  </TableCell>
                  {canManage ? (
                    <TableCell>
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
