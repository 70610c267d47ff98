"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { OctagonPauseIcon } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/app/_trpc/react";
import { formatDateTime } from "@/components/i18n/format";
import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { renderText } from "@/components/i18n/message-ref";
import { labelOf } from "@/components/i18n/translate";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import type { RouterOutputs } from "./router-outputs";

type HeldNode = RouterOutputs["operations"]["failoverHold"]["nodes"][number];

// As often as the overview refreshes: a hold shows up (and goes away) within one sweep.
const REFRESH_MS = 15_000;

/**
 * On every dashboard page while automatic failover is held by the blast-radius guard: why (the
 * newest alert), since when, which nodes wait, and — for owners — releasing the hold for one node
 * whose failure is real, so its users move while the rest of the fleet stays held.
 */
export function FailoverHoldBanner({ canRelease }: { canRelease: boolean }) {
  const trpc = useTRPC();
  const t = useT();
  const locale = useLocale();
  // Fetched by the browser, not awaited by the layout: no page waits for it.
  const hold = useQuery(trpc.operations.failoverHold.queryOptions(undefined, { refetchInterval: REFRESH_MS })).data;
  if (!hold?.isHeld) return null;
  return (
    <div role="alert" data-testid="failover-hold-banner" className="flex gap-3 rounded-xl border border-destructive/40 bg-destructive/10 px-4 py-3 text-sm">
      <OctagonPauseIcon aria-hidden className="mt-0.5 size-4 shrink-0 text-destructive" />
      <div className="min-w-0 flex-1 space-y-2">
        <p className="font-medium">
          {t("failoverHold.title")}
          {hold.since ? (
            <>
              {" · "}
              <time suppressHydrationWarning dateTime={new Date(hold.since).toISOString()} className="font-normal text-muted-foreground">
                {formatDateTime(locale, new Date(hold.since))}
              </time>
            </>
          ) : null}
        </p>
        {hold.reason ? <p>{renderText(t, hold.reason)}</p> : null}
        {/* Folded: on every page, and on a phone, the banner must not push the page out of view. */}
        <details className="group">
          <summary className="cursor-pointer font-medium text-destructive underline-offset-4 hover:underline">
            {t("failoverHold.details", { count: hold.nodes.length })}
          </summary>
          <div className="mt-2 space-y-2">
            <p className="text-muted-foreground">{t(canRelease ? "failoverHold.explainOwner" : "failoverHold.explain")}</p>
            {hold.nodes.length > 0 ? (
              <ul aria-label={t("failoverHold.nodesLabel")} className="divide-y divide-destructive/20">
                {hold.nodes.map((node) => (
                  <HeldNodeRow key={node.id} node={node} canRelease={canRelease} />
                ))}
              </ul>
            ) : null}
          </div>
        </details>
      </div>
    </div>
  );
}

function HeldNodeRow({ node, canRelease }: { node: HeldNode; canRelease: boolean }) {
  const trpc = useTRPC();
  const t = useT();
  const queryClient = useQueryClient();
  const [isConfirming, setIsConfirming] = useState(false);
  const release = useMutation(
    trpc.operations.releaseFailoverHold.mutationOptions({
      onSuccess: async () => {
        toast.success(t("failoverHold.released", { node: node.name }));
        await queryClient.invalidateQueries({ queryKey: trpc.operations.failoverHold.queryKey() });
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  return (
    <li className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1.5">
      <Link href={`/nodes/${node.id}`} className="font-medium underline-offset-4 hover:underline">
        {node.name}
      </Link>
      <span className="text-muted-foreground">
        {labelOf(t, "healthValue", node.healthState)} · {t("failoverHold.failures", { count: node.consecutiveFailures })} ·{" "}
        {t("failoverHold.users", { count: node.users })}
      </span>
      {node.isReleased ? (
        <Badge variant="outline">{t("failoverHold.isReleased")}</Badge>
      ) : canRelease ? (
        <>
          <Button size="sm" variant="outline" className="ml-auto" onClick={() => setIsConfirming(true)}>
            {t("failoverHold.release")}
          </Button>
          <ConfirmDialog
            open={isConfirming}
            onOpenChange={setIsConfirming}
            title={t("failoverHold.confirmTitle", { node: node.name })}
            description={t("failoverHold.confirmDescription", { node: node.name })}
            confirmLabel={t("failoverHold.release")}
            variant="destructive"
            onConfirm={() => release.mutateAsync({ nodeId: node.id })}
          />
        </>
      ) : null}
    </li>
  );
}
