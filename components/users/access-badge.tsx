"use client";

import { useT } from "@/components/i18n/i18n-provider";
import { Badge } from "@/components/ui/badge";

/* Mirrors the plan services' Access; kept here so the UI never imports server code. */
export type Access = "active" | "disabled" | "expired" | "over_quota";

const VARIANT = { active: "active", disabled: "disabled", expired: "destructive", over_quota: "warning" } as const;

/** Whether a user's key works now, and if not why: switched off by hand, out of time, out of quota. */
export function AccessBadge({ status, className }: { status: Access; className?: string }) {
  const t = useT();
  return (
    <Badge variant={VARIANT[status]} dot className={className}>
      {t(`access.${status}`)}
    </Badge>
  );
}
