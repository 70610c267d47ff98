import { TriangleAlertIcon } from "lucide-react";

/** Shown when no health sweep started for 3× the interval: node health on screen is stale. */
function SweepBanner({ lastAt, intervalSeconds }: { lastAt: Date | null; intervalSeconds: number }) {
  return (
    <div
      role="alert"
      data-testid="sweep-banner"
      className="flex gap-3 rounded-xl border border-warning/40 bg-warning/10 px-4 py-3 text-sm"
    >
      <TriangleAlertIcon aria-hidden className="mt-0.5 size-4 shrink-0 text-[color-mix(in_oklch,var(--warning)_70%,var(--foreground))]" />
      <div className="space-y-1">
        <p className="font-medium">
          {lastAt ? (
            <>
              No health sweep since <time suppressHydrationWarning dateTime={lastAt.toISOString()}>{lastAt.toLocaleString()}</time>
            </>
          ) : (
            "No health sweep has run yet"
          )}{" "}
          — node health shown here is stale.
        </p>
        <p className="text-muted-foreground">
          Something must call <code className="rounded bg-muted px-1 font-mono text-xs">GET /api/cron/health</code> with{" "}
          <code className="rounded bg-muted px-1 font-mono text-xs">Authorization: Bearer $CRON_SECRET</code> every {intervalSeconds} s — a
          crontab line, a systemd timer or a Vercel cron (README › Who pings the health route) — or let the app sweep by itself with{" "}
          <code className="rounded bg-muted px-1 font-mono text-xs">INTERNAL_CRON_SECONDS=30</code>.
        </p>
      </div>
    </div>
  );
}

export { SweepBanner };
