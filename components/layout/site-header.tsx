"use client";

import { LogOutIcon, MenuIcon, Loader2Icon } from "lucide-react";
import { useFormStatus } from "react-dom";

import { useT } from "@/components/i18n/i18n-provider";
import { LocaleSwitcher } from "@/components/layout/locale-switcher";
import { Badge, type BadgeVariant } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Tooltip } from "@/components/ui/tooltip";

import { ThemeToggle } from "./theme-toggle";

/* Mirrors the admin roles in the database schema; UI never imports server code. */
export type AdminRole = "owner" | "admin" | "viewer";

export type ShellUser = { name: string; role: AdminRole };

/** Form action for signing out: a server action (`"use server"`) or a client function. */
export type SignOutAction = (formData: FormData) => void | Promise<void>;

const ROLE_BADGE: Record<AdminRole, BadgeVariant> = {
  owner: "default",
  admin: "secondary",
  viewer: "outline",
};

type SiteHeaderProps = {
  user: ShellUser;
  signOutAction: SignOutAction;
  onOpenNavigation: () => void;
  isNavigationOpen: boolean;
};

function SiteHeader({ user, signOutAction, onOpenNavigation, isNavigationOpen }: SiteHeaderProps) {
  const t = useT();
  return (
    <header
      data-slot="site-header"
      className="sticky top-0 z-30 flex h-14 shrink-0 items-center gap-2 border-b bg-background/85 px-4 backdrop-blur supports-[backdrop-filter]:bg-background/70 lg:px-6"
    >
      <Button
        variant="ghost"
        size="icon"
        className="-ml-2 lg:hidden"
        aria-label={t("nav.open")}
        aria-haspopup="dialog"
        aria-expanded={isNavigationOpen}
        onClick={onOpenNavigation}
      >
        <MenuIcon aria-hidden />
      </Button>
      <div className="ml-auto flex items-center gap-1">
        <LocaleSwitcher />
        <ThemeToggle />
        <div aria-hidden className="mx-2 h-6 w-px bg-border" />
        <div
          className="flex min-w-0 items-center gap-2"
          title={t("header.signedInAs", { name: user.name })}
        >
          <span className="sr-only">{t("header.signedInAs", { name: user.name })}</span>
          <span
            aria-hidden
            className="flex size-8 shrink-0 items-center justify-center rounded-full bg-muted text-xs font-semibold uppercase text-muted-foreground"
          >
            {user.name.slice(0, 2)}
          </span>
          <span aria-hidden className="hidden max-w-40 truncate text-sm font-medium sm:inline">
            {user.name}
          </span>
          <Badge variant={ROLE_BADGE[user.role]}>{t(`role.${user.role}`)}</Badge>
        </div>
        <form action={signOutAction} className="ml-1">
          <SignOutButton label={t("header.signOut")} />
        </form>
      </div>
    </header>
  );
}

function SignOutButton({ label }: { label: string }) {
  const { pending } = useFormStatus();
  return (
    <Tooltip content={label} side="bottom">
      <Button type="submit" variant="ghost" size="icon" aria-label={label} disabled={pending}>
        {pending ? <Loader2Icon aria-hidden className="animate-spin" /> : <LogOutIcon aria-hidden />}
      </Button>
    </Tooltip>
  );
}

export { SiteHeader, type SiteHeaderProps };
