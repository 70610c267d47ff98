"use client";

import { useT } from "@/components/i18n/i18n-provider";

import { Badge } from "./badge";

/* Mirrors the `nodes` enums in the database schema; kept here so UI never imports server code. */
export type HealthState = "unknown" | "healthy" | "degraded" | "unhealthy" | "auth_error" | "misconfigured";
export type AdminState = "active" | "draining" | "disabled";

/** A node's health with its translated label and colour dot. */
function HealthBadge({ state, className }: { state: HealthState; className?: string }) {
  const t = useT();
  return (
    <Badge variant={state} dot className={className}>
      {t(`health.${state}`)}
    </Badge>
  );
}

/** A node's admin state (set by an admin, unlike health). */
function AdminStateBadge({ state, className }: { state: AdminState; className?: string }) {
  const t = useT();
  return (
    <Badge variant={state} dot className={className}>
      {t(`adminState.${state}`)}
    </Badge>
  );
}

export { HealthBadge, AdminStateBadge };
