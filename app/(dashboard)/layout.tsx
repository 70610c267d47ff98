import type { ReactNode } from "react";
import { AppShell } from "@/components/layout/app-shell";
import { requireActor } from "@/server/auth/session";
import { hasRole } from "@/server/services/actor";
import { FailoverHoldBanner } from "./_components/failover-hold-banner";
import { signOutAction } from "./actions";

// Every dashboard page reads the session and the database: never prerender at build time.
export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const actor = await requireActor();
  return (
    <AppShell user={{ name: actor.username, role: actor.role }} signOutAction={signOutAction}>
      <FailoverHoldBanner canRelease={hasRole(actor, "owner")} />
      {children}
    </AppShell>
  );
}
