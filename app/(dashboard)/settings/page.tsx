import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { requireActor } from "@/server/auth/session";
import { AdminsPanel } from "./_components/admins-panel";
import { ThresholdsPanel } from "./_components/thresholds-panel";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const actor = await requireActor("owner");
  return (
    <>
      <PageHeader title="Settings" description="Who can manage the fleet, and how the fleet judges its nodes." />
      <AdminsPanel currentAdminId={actor.adminId} />
      <ThresholdsPanel />
    </>
  );
}
