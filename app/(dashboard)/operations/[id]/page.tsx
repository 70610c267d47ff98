import { ArrowLeftIcon } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { serverApi } from "@/app/_trpc/server";
import { formatDateTime, formatTime } from "@/components/i18n/format";
import { renderText } from "@/components/i18n/message-ref";
import { getTranslator } from "@/components/i18n/server";
import { labelOf } from "@/components/i18n/translate";
import { OperationProgress, OperationStatusBadge } from "@/components/operations/operation-badges";
import { buttonVariants } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { requireActor } from "@/server/auth/session";
import { AutoRefresh } from "../../_components/auto-refresh";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("operation.metaTitle") };
}

const ITEM_LIMIT = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
type Params = Promise<{ id: string }>;

export default async function OperationPage({ params }: { params: Params }) {
  await requireActor();
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  const api = await serverApi();
  const { operation, items, nextAfterItemId } = await api.operations.detail({ id, limit: ITEM_LIMIT }).catch((error: unknown) => {
    if ((error as { code?: string }).code === "NOT_FOUND") notFound();
    throw error;
  });
  const isOpen = operation.status === "pending" || operation.status === "running";
  const { t, locale } = await getTranslator();
  const kind = labelOf(t, "operationTitle", operation.kind);

  return (
    <>
      <Link href="/operations" className={buttonVariants({ variant: "ghost", size: "sm", className: "-ml-2 w-fit" })}>
        <ArrowLeftIcon aria-hidden /> {t("nav.operations")}
      </Link>
      <PageHeader
        title={operation.nodeName ? t("operation.title", { kind, node: operation.nodeName }) : kind}
        description={t("operation.description", {
          reason: renderText(t, operation.reasonRef, operation.reason) ?? t("operation.noReason"),
          by: labelOf(t, "startedBy", operation.startedBy),
          time: formatDateTime(locale, operation.createdAt),
        })}
        actions={<OperationStatusBadge status={operation.status} />}
      />
      {isOpen ? <AutoRefresh seconds={3} /> : null}
      <Card>
        <CardHeader>
          <CardTitle>{t("operation.outcomes")}</CardTitle>
          <CardDescription>
            <OperationProgress total={operation.total} succeeded={operation.succeeded} failed={operation.failed} label={t("operation.progress")} />
          </CardDescription>
        </CardHeader>
        <CardContent>
          {operation.error ? <p className="mb-3 text-sm text-destructive">{renderText(t, operation.errorRef, operation.error)}</p> : null}
          {items.length === 0 ? (
            <p className="rounded-lg border border-dashed px-4 py-8 text-center text-sm text-muted-foreground">
              {t(isOpen ? "operation.emptyOpen" : "operation.emptyDone")}
            </p>
          ) : (
            <Table aria-label={t("operation.outcomes")} stacked>
              <TableHeader>
                <TableRow>
                  <TableHead>{t("common.telegramId")}</TableHead>
                  <TableHead>{t("operation.col.from")}</TableHead>
                  <TableHead>{t("operation.col.to")}</TableHead>
                  <TableHead>{t("operation.col.outcome")}</TableHead>
                  <TableHead>{t("operation.col.detail")}</TableHead>
                  <TableHead>{t("operation.col.updated")}</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((item) => (
                  <TableRow key={item.id}>
                    <TableCell data-label={t("common.telegramId")} data-cell="title">
                      {item.telegramId ? (
                        <Link href={`/users?q=${item.telegramId}`} className="font-mono text-xs hover:underline">
                          {item.telegramId}
                        </Link>
                      ) : (
                        "—"
                      )}
                    </TableCell>
                    <TableCell data-label={t("operation.col.from")}>{item.fromNodeName ?? "—"}</TableCell>
                    <TableCell data-label={t("operation.col.to")}>{item.toNodeName ?? "—"}</TableCell>
                    <TableCell data-label={t("operation.col.outcome")}>
                      <OperationStatusBadge status={item.status} />
                    </TableCell>
                    {/* Last and whole on phones: a line of its own under the short values, no pointer to hover for the title. */}
                    <TableCell
                      data-label={t("operation.col.detail")}
                      data-cell="wide"
                      className="max-w-80 truncate text-xs max-sm:order-last max-sm:max-w-none"
                      title={renderText(t, item.detailRef, item.detail) ?? undefined}
                    >
                      {renderText(t, item.detailRef, item.detail) ?? ""}
                    </TableCell>
                    <TableCell data-label={t("operation.col.updated")} className="text-xs text-muted-foreground tabular-nums">
                      {formatTime(locale, item.updatedAt)}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          {nextAfterItemId ? <p className="mt-3 text-xs text-muted-foreground">{t("operation.truncated", { limit: ITEM_LIMIT, total: operation.total })}</p> : null}
        </CardContent>
      </Card>
    </>
  );
}
