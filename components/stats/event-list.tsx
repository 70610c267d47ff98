"use client";

import { formatDateTime } from "@/components/i18n/format";
import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { renderText, type MessageRef } from "@/components/i18n/message-ref";
import { labelOf } from "@/components/i18n/translate";
import { Badge } from "@/components/ui/badge";

type EventItem = {
  id: number;
  kind: string;
  severity: "info" | "warning" | "critical";
  nodeName: string | null;
  message: string;
  messageRef: MessageRef | null;
  createdAt: Date;
};

const SEVERITY_VARIANT = { info: "secondary", warning: "warning", critical: "destructive" } as const;

/**
 * The events feed: what the system did or noticed, newest first, each with its reason, in the
 * reader's language: the server sends the message as a code with parameters (rows from before
 * that carry their English text, shown as it is) and the kind as a code with a label.
 */
function EventList({ items, emptyText }: { items: readonly EventItem[]; emptyText: string }) {
  const t = useT();
  const locale = useLocale();
  if (items.length === 0) {
    return <p className="rounded-lg border border-dashed px-4 py-8 text-center text-sm text-muted-foreground">{emptyText}</p>;
  }
  return (
    <ol className="grid gap-3" aria-label={t("events.listLabel")}>
      {items.map((event) => {
        const message = renderText(t, event.messageRef, event.message);
        return (
          <li key={event.id} className="grid gap-1 text-sm">
            <p className="line-clamp-2 text-pretty" title={message ?? undefined}>
              {message}
            </p>
            <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
              <Badge variant={SEVERITY_VARIANT[event.severity]} dot className="text-[11px]" title={event.kind}>
                {labelOf(t, "eventKind", event.kind)}
              </Badge>
              <time suppressHydrationWarning dateTime={event.createdAt.toISOString()} className="tabular-nums">
                {formatDateTime(locale, event.createdAt)}
              </time>
            </div>
          </li>
        );
      })}
    </ol>
  );
}

export { EventList, type EventItem };
