"use client";

import { ThemeProvider } from "next-themes";
import type { ReactNode } from "react";

import { I18nProvider } from "@/components/i18n/i18n-provider";
import type { Locale } from "@/components/i18n/locale";
import { Toaster } from "@/components/ui/toaster";

type ProvidersProps = {
  /** Read from the locale cookie by the root layout (see `resolveLocale`). */
  locale: Locale;
  /** The page's CSP nonce, for the theme script that runs before hydration. */
  nonce?: string;
  children: ReactNode;
};

/**
 * Client-side context for the whole app. Other providers (tRPC / react-query) wrap or sit
 * inside `children`; this one owns only theme, language and toasts.
 */
function Providers({ locale, nonce, children }: ProvidersProps) {
  return (
    <ThemeProvider attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange nonce={nonce}>
      <I18nProvider locale={locale}>
        {children}
        <Toaster />
      </I18nProvider>
    </ThemeProvider>
  );
}

export { Providers, type ProvidersProps };
