"use client";

import { createContext, use, useContext, useMemo, type ReactNode } from "react";

import { loadDictionary } from "./dictionary";
import type { Locale } from "./locale";
import { createTranslator, type Translate } from "./translate";

type I18nContextValue = { locale: Locale; t: Translate };

const I18nContext = createContext<I18nContextValue | null>(null);

/**
 * The locale comes from the server (cookie), so a switch is a cookie write plus a refresh; the
 * new language's chunk loads during that transition while the old text stays on screen.
 */
export function I18nProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  const dictionary = use(loadDictionary(locale));
  const value = useMemo(() => ({ locale, t: createTranslator(locale, dictionary) }), [locale, dictionary]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

function useI18n(): I18nContextValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useT() and useLocale() need an I18nProvider above them (see components/layout/providers.tsx)");
  return value;
}

export function useT(): Translate {
  return useI18n().t;
}

export function useLocale(): Locale {
  return useI18n().locale;
}
