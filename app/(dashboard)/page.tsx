import type { Metadata } from "next";
import { getTranslator } from "@/components/i18n/server";
import { PageHeader } from "@/components/ui/page-header";
import { serverApi } from "@/app/_trpc/server";
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
  const [overview, load, latency, timeline, daily, events, traffic, trafficOverview] = await Promise.all([
    api.stats.overview(),
    api.stats.nodeLoad(),
    api.stats.latency({ range: "24h" }),
    api.stats.healthTimeline({ range: "24h" }),
    api.stats.daily(),
    api.stats.events({ pageSize: 8 }),
    api.stats.traffic({ range: "24h" }),
    api.stats.trafficOverview(),
  ]);
  return (
    <>
      <PageHeader title={t("nav.overview")} description={t("overview.description")} />
      <OverviewLive initial={{ overview, load, latency, timeline, daily, events, traffic, trafficOverview }} canManage={hasRole(actor, "admin")} />
    </>
  );
}
