"use client";

import { formatDateTime } from "@/components/i18n/format";
import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { Badge } from "@/components/ui/badge";

type EventItem = {
  id: number;
  kind: string;
  severity: "info" | "warning" | "critical";
  nodeName: string | null;
  message: string;
  createdAt: Date;
};

const SEVERITY_VARIANT = { info: "secondary", warning: "warning", critical: "destructive" } as const;

/**
 * The events feed: what the system did or noticed, newest first, each with its reason. The kind
 * ("node.down") is a code and the message is written by the server, so both are shown as sent.
 */
function EventList({ items, emptyText }: { items: readonly EventItem[]; emptyText: string }) {
  const t = useT();
  const locale = useLocale();
  if (items.length === 0) {
    return <p className="rounded-lg border border-dashed px-4 py-8 text-center text-sm text-muted-foreground">{emptyText}</p>;
  }
  return (
    <ol className="grid gap-3" aria-label={t("events.listLabel")}>
      {items.map((event) => (
        <li key={event.id} className="grid gap-1 text-sm">
          <p className="line-clamp-2 text-pretty" title={event.message}>
            {event.message}
          </p>
          <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
            <Badge variant={SEVERITY_VARIANT[event.severity]} dot className="font-mono text-[11px]">
              {event.kind}
            </Badge>
            <time suppressHydrationWarning dateTime={event.createdAt.toISOString()} className="tabular-nums">
              {formatDateTime(locale, event.createdAt)}
            </time>
          </div>
        </li>
      ))}
    </ol>
  );
}

export { EventList, type EventItem };
