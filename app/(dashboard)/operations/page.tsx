import type { Metadata } from "next";
import { serverApi } from "@/app/_trpc/server";
import { PageHeader } from "@/components/ui/page-header";
import { requireActor } from "@/server/auth/session";
import { hasRole } from "@/server/services/actor";
import { OperationsList } from "./_components/operations-list";
import { RebalanceCard } from "./_components/rebalance-card";

export const metadata: Metadata = { title: "Operations" };

export default async function OperationsPage() {
  const actor = await requireActor();
  const api = await serverApi();
  const operations = await api.operations.list({ limit: 25 });
  return (
    <>
      <PageHeader title="Operations" description="Failovers, drains, rebalances and manual moves: their progress and what happened to each user." />
      <RebalanceCard canManage={hasRole(actor, "admin")} />
      <OperationsList initial={operations} />
    </>
  );
}
