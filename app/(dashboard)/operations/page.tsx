import type { Metadata } from "next";
import { serverApi } from "@/app/_trpc/server";
import { getTranslator } from "@/components/i18n/server";
import { PageHeader } from "@/components/ui/page-header";
import { requireActor } from "@/server/auth/session";
import { hasRole } from "@/server/services/actor";
import { OperationsList } from "./_components/operations-list";
import { RebalanceCard } from "./_components/rebalance-card";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("nav.operations") };
}

export default async function OperationsPage() {
  const actor = await requireActor();
  const api = await serverApi();
  const operations = await api.operations.list({ limit: 25 });
  const { t } = await getTranslator();
  return (
    <>
      <PageHeader title={t("nav.operations")} description={t("operations.description")} />
      <RebalanceCard canManage={hasRole(actor, "admin")} />
      <OperationsList initial={operations} />
    </>
  );
}
