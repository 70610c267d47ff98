import { ArrowLeftIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { serverApi } from "@/app/_trpc/server";
import { formatValue } from "@/components/charts/format";
import { formatDate, formatDateTime } from "@/components/i18n/format";
import { getTranslator } from "@/components/i18n/server";
import { AccessBadge } from "@/components/users/access-badge";
import { UsageMeter } from "@/components/users/usage-meter";
import { buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { HealthBadge, type HealthState } from "@/components/ui/status-badge";
import { requireActor } from "@/server/auth/session";
import { hasRole } from "@/server/services/actor";
import { TrafficCard } from "../../_components/traffic-card";
import { UserActions } from "../_components/user-actions";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("user.metaTitle") };
}

type Params = Promise<{ telegramId: string }>;

/** One VPN user: plan and usage, where their key lives, their traffic over time, and the admin's actions. */
export default async function UserPage({ params }: { params: Params }) {
  const actor = await requireActor();
  const canManage = hasRole(actor, "admin");
  const { telegramId: raw } = await params;
  const telegramId = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(telegramId) || telegramId < 1) notFound();
  const api = await serverApi();
  const { t, locale } = await getTranslator();
  const [user, traffic] = await Promise.all([
    api.users.get({ telegramId }).catch((error: unknown) => {
      if ((error as { code?: string }).code === "NOT_FOUND") notFound();
      throw error;
    }),
    api.stats.traffic({ range: "24h", telegramId }),
  ]);
  const who = user.username ? `@${user.username}` : String(user.telegramId);

  return (
    <>
      <Link href="/users" className={buttonVariants({ variant: "ghost", size: "sm", className: "-ml-2 w-fit" })}>
        <ArrowLeftIcon aria-hidden /> {t("nav.users")}
      </Link>
      <PageHeader
        title={who}
        description={t("user.description", { id: user.telegramId, since: formatDate(locale, user.createdAt) })}
        actions={<UserActions user={user} canManage={canManage} />}
      />
      <section aria-label={t("user.plan")} className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <Card className="gap-2 px-5 py-4">
          <p className="text-sm text-muted-foreground">{t("users.col.status")}</p>
          <AccessBadge status={user.status} />
          <p className="text-xs text-muted-foreground">{t(`user.statusHint.${user.status}`)}</p>
        </Card>
        <Card className="gap-2 px-5 py-4">
          <p className="text-sm text-muted-foreground">{t("user.usage")}</p>
          <UsageMeter usedBytes={user.usage.usedBytes} limitBytes={user.plan.trafficLimitBytes} label={t("users.usageOf", { user: who })} />
          <p className="text-xs text-muted-foreground">
            {t("user.usageDetail", {
              down: formatValue(user.usage.downloadBytes, locale, "bytes"),
              up: formatValue(user.usage.uploadBytes, locale, "bytes"),
              since: formatDate(locale, user.usage.periodStartedAt),
            })}
          </p>
        </Card>
        <Card className="gap-2 px-5 py-4">
          <p className="text-sm text-muted-foreground">{t("users.col.expires")}</p>
          <p className="text-2xl font-semibold tabular-nums">{user.plan.expiresAt ? formatDate(locale, user.plan.expiresAt) : t("common.never")}</p>
          <p className="text-xs text-muted-foreground">
            {user.plan.expiresAt ? formatDateTime(locale, user.plan.expiresAt) : t("user.noExpiry")}
            {" · "}
            {user.plan.deviceLimit === null ? t("user.devicesUnlimited") : t("user.devices", { count: user.plan.deviceLimit })}
          </p>
        </Card>
        <Card className="gap-2 px-5 py-4">
          <p className="text-sm text-muted-foreground">{t("common.node")}</p>
          {user.node ? (
            <>
              <Link href={`/nodes/${user.node.id}`} className="font-medium hover:underline">
                {user.node.name}
              </Link>
              <HealthBadge state={user.node.healthState as HealthState} />
            </>
          ) : (
            <p className="text-muted-foreground">{t("users.noKey")}</p>
          )}
        </Card>
      </section>
      <TrafficCard scope={{ telegramId: user.telegramId }} title={t("traffic.userTitle")} initial={traffic} />
    </>
  );
}
