"use client";

import { useState, type ReactNode } from "react";

import { useT } from "@/components/i18n/i18n-provider";
import { Dialog, DialogContent, DialogTitle } from "@/components/ui/dialog";

import { AppSidebar } from "./app-sidebar";
import { SiteHeader, type ShellUser, type SignOutAction } from "./site-header";

type AppShellProps = {
  user: ShellUser;
  signOutAction: SignOutAction;
  children: ReactNode;
};

/**
 * The dashboard frame: a docked sidebar from the `lg` breakpoint, a drawer below it, and a
 * sticky header. Purely presentational; the layout passes the signed-in admin and the
 * sign-out action.
 */
function AppShell({ user, signOutAction, children }: AppShellProps) {
  const t = useT();
  const [isNavigationOpen, setIsNavigationOpen] = useState(false);

  return (
    <div data-slot="app-shell" className="flex min-h-dvh">
      <a
        href="#main-content"
        className="sr-only z-50 rounded-md bg-background px-3 py-2 text-sm font-medium shadow focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:ring-[3px] focus:ring-ring"
      >
        {t("nav.skipToContent")}
      </a>
      {/* The column runs the page's full height with the sidebar's background; only its contents stick to the top. */}
      <aside className="hidden w-60 shrink-0 border-r border-sidebar-border bg-sidebar lg:block">
        <div className="sticky top-0 h-dvh">
          <AppSidebar />
        </div>
      </aside>
      <Dialog open={isNavigationOpen} onOpenChange={setIsNavigationOpen}>
        <DialogContent side="left" className="bg-sidebar" aria-describedby={undefined}>
          <DialogTitle className="sr-only">{t("nav.label")}</DialogTitle>
          <AppSidebar onNavigate={() => setIsNavigationOpen(false)} />
        </DialogContent>
      </Dialog>
      <div className="flex min-w-0 flex-1 flex-col">
        <SiteHeader
          user={user}
          signOutAction={signOutAction}
          onOpenNavigation={() => setIsNavigationOpen(true)}
          isNavigationOpen={isNavigationOpen}
        />
        <main id="main-content" tabIndex={-1} className="outline-none flex-1 px-4 py-6 lg:px-8 lg:py-8">
          <div className="mx-auto flex w-full max-w-7xl flex-col gap-6">{children}</div>
        </main>
      </div>
    </div>
  );
}

export { AppShell, type AppShellProps };
