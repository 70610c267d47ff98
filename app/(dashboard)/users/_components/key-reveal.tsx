"use client";

import { useMutation } from "@tanstack/react-query";
import { EyeIcon } from "lucide-react";
import { toast } from "sonner";
import { useTRPC } from "@/app/_trpc/react";
import { useT } from "@/components/i18n/i18n-provider";
import { QrCode } from "@/components/users/qr-code";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";

/** A user's key and subscription URL, fetched only when an admin asks (the server audits each reveal). */
export function KeyReveal({ telegramId, who, nodeName }: { telegramId: number; who: string; nodeName: string | null }) {
  const trpc = useTRPC();
  const t = useT();
  const reveal = useMutation(trpc.users.revealKey.mutationOptions({ onError: (error) => toast.error(error.message) }));

  if (!reveal.data) {
    return (
      <div className="grid justify-items-start gap-2">
        <p className="text-sm text-muted-foreground">{t("userActions.revealHint")}</p>
        <Button variant="outline" onClick={() => reveal.mutate({ telegramId })} disabled={reveal.isPending}>
          <EyeIcon aria-hidden /> {t("userActions.reveal")}
        </Button>
      </div>
    );
  }
  const { key, subscriptionUrl } = reveal.data;
  return (
    <div className="grid gap-6 sm:grid-cols-2">
      <figure className="grid min-w-0 justify-items-center gap-2">
        <QrCode value={subscriptionUrl} label={t("userActions.subscriptionQr", { user: who })} />
        <figcaption className="text-xs text-muted-foreground">{t("userActions.subscriptionCaption")}</figcaption>
        <code data-testid="revealed-subscription" className="block max-w-full truncate font-mono text-xs" title={subscriptionUrl}>
          {subscriptionUrl}
        </code>
        <CopyButton value={subscriptionUrl} label={t("userActions.copySubscription")} />
      </figure>
      {key ? (
        <figure className="grid min-w-0 justify-items-center gap-2">
          <QrCode value={key} label={t("userActions.keyQr", { user: who })} />
          <figcaption className="text-xs text-muted-foreground">{t("userActions.keyCaption", { node: nodeName ?? "" })}</figcaption>
          <code data-testid="revealed-key" className="block max-w-full truncate font-mono text-xs" title={key}>
            {key}
          </code>
          <CopyButton value={key} label={t("userActions.copyKey")} />
        </figure>
      ) : null}
    </div>
  );
}
