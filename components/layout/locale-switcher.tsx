"use client";

import { LanguagesIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTransition } from "react";

import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";

import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { LOCALES, LOCALE_COOKIE, LOCALE_NAMES, isLocale } from "@/components/i18n/locale";

const ONE_YEAR_SECONDS = 60 * 60 * 24 * 365;

/** Stores the choice in a cookie and re-renders server components in the new language. */
function LocaleSwitcher() {
  const t = useT();
  const locale = useLocale();
  const router = useRouter();
  const [isPending, startTransition] = useTransition();

  const handleChange = (value: string) => {
    if (!isLocale(value) || value === locale) return;
    document.cookie = `${LOCALE_COOKIE}=${value}; path=/; max-age=${ONE_YEAR_SECONDS}; samesite=lax`;
    startTransition(() => router.refresh());
  };

  return (
    <DropdownMenu>
      <DropdownMenuTrigger
        variant="ghost"
        size="sm"
        aria-busy={isPending}
        className="gap-1.5 px-2 text-xs font-semibold uppercase"
      >
        <LanguagesIcon aria-hidden />
        {/* The name says what the button does and includes the code it shows ("Change language: en"), as speech input needs. */}
        <span className="sr-only">{t("locale.toggle")}: </span>
        {locale}
      </DropdownMenuTrigger>
      <DropdownMenuContent>
        <DropdownMenuRadioGroup value={locale} onValueChange={handleChange}>
          {LOCALES.map((value) => (
            <DropdownMenuRadioItem key={value} value={value} lang={value}>
              {LOCALE_NAMES[value]}
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

export { LocaleSwitcher };
