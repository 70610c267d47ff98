import type { ReactNode } from "react";
import { AppShell } from "@/components/layout/app-shell";
import { requireActor } from "@/server/auth/session";
import { hasRole } from "@/server/services/actor";
import { FailoverHoldBanner } from "./_components/failover-hold-banner";
import { signOutAction } from "./actions";

// Every dashboard page reads the session and the database: never prerender at build time.
export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  // Each page decides whether an admin who must still enrol a second factor may see it.
  const actor = await requireActor("viewer", { isEnrolmentPage: true });
  return (
    <AppShell user={{ name: actor.username, role: actor.role }} signOutAction={signOutAction}>
      <FailoverHoldBanner canRelease={hasRole(actor, "owner")} />
      {children}
    </AppShell>
  );
}
