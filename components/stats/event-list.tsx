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

/** The events feed: what the system did or noticed, newest first, each with its reason. */
function EventList({ items, emptyText }: { items: readonly EventItem[]; emptyText: string }) {
  if (items.length === 0) {
    return <p className="rounded-lg border border-dashed px-4 py-8 text-center text-sm text-muted-foreground">{emptyText}</p>;
  }
  return (
    <ol className="grid gap-3" aria-label="Recent events">
      {items.map((event) => (
        <li key={event.id} className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-sm">
          <Badge variant={SEVERITY_VARIANT[event.severity]} className="mt-0.5 w-20 font-mono text-[11px]">
            {event.kind}
          </Badge>
          <p className="line-clamp-2 text-pretty" title={event.message}>
            {event.message}
          </p>
          <span />
          <time suppressHydrationWarning dateTime={event.createdAt.toISOString()} className="text-xs text-muted-foreground tabular-nums">
            {event.createdAt.toLocaleString()}
          </time>
        </li>
      ))}
    </ol>
  );
}

export { EventList, type EventItem };
