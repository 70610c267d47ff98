import "server-only";
import { cookies } from "next/headers";

import { loadDictionary } from "./dictionary";
import { LOCALE_COOKIE, resolveLocale, type Locale } from "./locale";
import { createTranslator, type Translate } from "./translate";

/** The request's locale, from the `locale` cookie (English when absent or unknown). */
export async function getLocale(): Promise<Locale> {
  return resolveLocale((await cookies()).get(LOCALE_COOKIE)?.value);
}

/** `t()` and the locale for a server component or generateMetadata. */
export async function getTranslator(): Promise<{ locale: Locale; t: Translate }> {
  const locale = await getLocale();
  return { locale, t: createTranslator(locale, await loadDictionary(locale)) };
}
