import type { Metadata } from "next";
import { getTranslator } from "@/components/i18n/server";
import { PageHeader } from "@/components/ui/page-header";
import { requireActor } from "@/server/auth/session";
import { AdminsPanel } from "./_components/admins-panel";
import { ThresholdsPanel } from "./_components/thresholds-panel";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("nav.settings") };
}

export default async function SettingsPage() {
  const actor = await requireActor("owner");
  const { t } = await getTranslator();
  return (
    <>
      <PageHeader title={t("nav.settings")} description={t("settings.description")} />
      <AdminsPanel currentAdminId={actor.adminId} />
      <ThresholdsPanel />
    </>
  );
}
