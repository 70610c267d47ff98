import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";

import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";

type KpiCardProps = {
  label: string;
  value: ReactNode;
  /** A second line: the breakdown or what the number is out of. */
  detail?: ReactNode;
  icon: LucideIcon;
  /** Colours the icon when the number needs attention. */
  tone?: "default" | "good" | "warning" | "bad";
  children?: ReactNode;
};

const TONE_CLASS = {
  default: "bg-muted text-muted-foreground",
  good: "bg-success/12 text-success",
  warning: "bg-warning/15 text-[color-mix(in_oklch,var(--warning)_70%,var(--foreground))]",
  bad: "bg-destructive/10 text-destructive",
} as const;

/** One number on the overview, with a fixed height so refreshed values never shift the grid. */
function KpiCard({ label, value, detail, icon: Icon, tone = "default", children }: KpiCardProps) {
  return (
    <Card role="group" aria-label={label} className="min-h-32 gap-2 px-5 py-4" data-slot="kpi-card">
      <div className="flex items-center justify-between gap-2">
        <p className="text-sm font-medium text-muted-foreground">{label}</p>
        <span className={cn("flex size-8 items-center justify-center rounded-full", TONE_CLASS[tone])}>
          <Icon aria-hidden className="size-4" />
        </span>
      </div>
      <p className="text-2xl font-semibold tracking-tight tabular-nums">{value}</p>
      {detail ? <div className="text-xs text-muted-foreground">{detail}</div> : null}
      {children}
    </Card>
  );
}

export { KpiCard, type KpiCardProps };
