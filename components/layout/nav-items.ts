import {
  LayoutDashboardIcon,
  ScrollTextIcon,
  ServerIcon,
  SettingsIcon,
  UsersIcon,
  WorkflowIcon,
  type LucideIcon,
} from "lucide-react";

import type { MessageKey } from "@/components/i18n/messages/en";

export type NavItem = { href: string; labelKey: MessageKey; icon: LucideIcon };

export const NAV_ITEMS: readonly NavItem[] = [
  { href: "/", labelKey: "nav.overview", icon: LayoutDashboardIcon },
  { href: "/nodes", labelKey: "nav.nodes", icon: ServerIcon },
  { href: "/users", labelKey: "nav.users", icon: UsersIcon },
  { href: "/operations", labelKey: "nav.operations", icon: WorkflowIcon },
  { href: "/audit", labelKey: "nav.audit", icon: ScrollTextIcon },
  { href: "/settings", labelKey: "nav.settings", icon: SettingsIcon },
];

/** "/" matches only itself; other items also own their sub-pages (/nodes/42). */
export function isNavItemActive(href: string, pathname: string): boolean {
  if (href === "/") return pathname === "/";
  return pathname === href || pathname.startsWith(`${href}/`);
}
