import type { Metadata } from "next";
import { getTranslator } from "@/components/i18n/server";
import { PageHeader } from "@/components/ui/page-header";
import { serverApi } from "@/app/_trpc/server";
import { loadOverview } from "@/server/api/load-overview";
import { requireActor } from "@/server/auth/session";
import { hasRole } from "@/server/services/actor";
import { OverviewLive } from "./_components/overview-live";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("nav.overview") };
}

export default async function OverviewPage() {
  const actor = await requireActor();
  const api = await serverApi();
  const { t } = await getTranslator();
  const initial = await loadOverview(api);
  return (
    <>
      <PageHeader title={t("nav.overview")} description={t("overview.description")} />
      <OverviewLive initial={initial} canManage={hasRole(actor, "admin")} />
    </>
  );
}
