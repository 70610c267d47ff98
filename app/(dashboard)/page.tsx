import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { serverApi } from "@/app/_trpc/server";
import { requireActor } from "@/server/auth/session";
import { hasRole } from "@/server/services/actor";
import { OverviewLive } from "./_components/overview-live";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const actor = await requireActor();
  const api = await serverApi();
  const [overview, load, latency, timeline, daily, events] = await Promise.all([
    api.stats.overview(),
    api.stats.nodeLoad(),
    api.stats.latency({ range: "24h" }),
    api.stats.healthTimeline({ range: "24h" }),
    api.stats.daily(),
    api.stats.events({ pageSize: 8 }),
  ]);
  return (
    <>
      <PageHeader title="Overview" description="Fleet health, load and recent activity at a glance; refreshes every 15 seconds." />
      <OverviewLive initial={{ overview, load, latency, timeline, daily, events }} canManage={hasRole(actor, "admin")} />
    </>
  );
}
