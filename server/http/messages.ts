/**
 * Server texts (MessageRefs) rendered at the edge, in the caller's language: tRPC errors in the
 * dashboard's locale, the bot API and the scripts in English. Both dictionaries are loaded
 * statically here (the server needs every language at once; the browser loads only its own).
 */
import { renderText } from "@/components/i18n/message-ref";
import { en } from "@/components/i18n/messages/en";
import { ru } from "@/components/i18n/messages/ru";
import { LOCALE_COOKIE, resolveLocale, type Locale } from "@/components/i18n/locale";
import { createTranslator, type Translate } from "@/components/i18n/translate";
import type { AppError, ErrorText } from "@/server/errors";

const translators = { en: createTranslator("en", en), ru: createTranslator("ru", ru) } satisfies Record<Locale, Translate>;

export function translatorFor(locale: Locale): Translate {
  return translators[locale];
}

/** One error text in `locale` (English by default). */
export function renderErrorText(text: ErrorText, locale: Locale = "en"): string {
  return renderText(translatorFor(locale), text) ?? "";
}

/** The JSON body of an error in `locale`: `{code, message, fields?}`. */
export function errorBody(error: AppError, locale: Locale = "en"): ReturnType<AppError["toBody"]> {
  return error.toBody((text) => renderErrorText(text, locale));
}

/** The locale a request's `locale` cookie names (English when absent). */
export function localeOfRequest(request: Request): Locale {
  const cookie = request.headers.get("cookie") ?? "";
  const match = cookie.split(/;\s*/).find((part) => part.startsWith(`${LOCALE_COOKIE}=`));
  return resolveLocale(match ? decodeURIComponent(match.slice(LOCALE_COOKIE.length + 1)) : undefined);
}
