import type { Metadata } from "next";
import { getTranslator } from "@/components/i18n/server";
import { PageHeader } from "@/components/ui/page-header";
import { requireActor } from "@/server/auth/session";
import { hasRole } from "@/server/services/actor";
import { AccountPanel } from "./_components/account-panel";
import { AdminsPanel } from "./_components/admins-panel";
import { ThresholdsPanel } from "./_components/thresholds-panel";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("nav.settings") };
}

/** Everyone's own account; the admins and thresholds are the owner's. The one page open to an admin who must still enrol a second factor. */
export default async function SettingsPage() {
  const actor = await requireActor("viewer", { isEnrolmentPage: true });
  const isOwner = hasRole(actor, "owner");
  const { t } = await getTranslator();
  return (
    <>
      <PageHeader title={t("nav.settings")} description={t("settings.description")} />
      <AccountPanel isOwner={isOwner} mustEnroll={actor.mustEnrollTotp === true} />
      {isOwner && !actor.mustEnrollTotp ? (
        <>
          <AdminsPanel currentAdminId={actor.adminId} />
          <ThresholdsPanel />
        </>
      ) : null}
    </>
  );
}
