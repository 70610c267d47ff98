"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

import { useT } from "@/components/i18n/i18n-provider";
import { cn } from "@/components/ui/cn";

import { Logo } from "./logo";
import { NAV_ITEMS, isNavItemActive } from "./nav-items";

type AppSidebarProps = {
  /** Called after a link is followed, so the mobile drawer can close. */
  onNavigate?: () => void;
  className?: string;
};

/** Sidebar body (logo + navigation); the shell decides whether it is docked or a drawer. */
function AppSidebar({ onNavigate, className }: AppSidebarProps) {
  const t = useT();
  const pathname = usePathname();

  return (
    <div
      data-slot="app-sidebar"
      className={cn("flex h-full flex-col bg-sidebar text-sidebar-foreground", className)}
    >
      <div className="flex h-14 shrink-0 items-center border-b border-sidebar-border px-4">
        <Link
          href="/"
          onClick={onNavigate}
          className="rounded-md outline-none focus-visible:ring-[3px] focus-visible:ring-ring"
        >
          <Logo name={t("app.name")} tagline={t("app.tagline")} />
        </Link>
      </div>
      <nav aria-label={t("nav.label")} className="flex-1 overflow-y-auto p-3">
        <ul className="grid gap-0.5">
          {NAV_ITEMS.map(({ href, labelKey, icon: Icon }) => {
            const isActive = isNavItemActive(href, pathname);
            return (
              <li key={href}>
                <Link
                  href={href}
                  onClick={onNavigate}
                  aria-current={isActive ? "page" : undefined}
                  className={cn(
                    "flex h-9 items-center gap-3 rounded-md px-3 text-sm font-medium outline-none transition-colors",
                    "hover:bg-sidebar-accent hover:text-sidebar-accent-foreground focus-visible:ring-[3px] focus-visible:ring-ring",
                    isActive && "bg-sidebar-accent text-sidebar-accent-foreground",
                  )}
                >
                  <Icon
                    aria-hidden
                    className={cn("size-4 shrink-0", isActive ? "text-primary" : "opacity-70")}
                  />
                  {t(labelKey)}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
    </div>
  );
}

export { AppSidebar, type AppSidebarProps };
