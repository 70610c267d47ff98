import { DICTIONARIES, type MessageKey } from "./dictionaries";
import { formatNumber } from "./format";
import type { Locale } from "./locale";
import { selectPlural } from "./plural";

export type TranslateValues = Record<string, string | number>;
export type Translate = (key: MessageKey, values?: TranslateValues) => string;

/**
 * Builds `t()` for one locale. Plain function so server components can translate too:
 * `const t = createTranslator(resolveLocale(cookieValue))`.
 *
 * Plurals: a message with `|` lists its forms (see plural.ts) and takes a numeric `count`, which
 * picks the form and is shown formatted for the locale: t("users.count", { count: 5 }).
 */
export function createTranslator(locale: Locale): Translate {
  const dictionary = DICTIONARIES[locale];
  return (key, values) => {
    let template: string = dictionary[key];
    if (!values) return template;
    const count = values.count;
    if (typeof count === "number") template = selectPlural(locale, count, template);
    return template.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
      if (!(name in values)) return placeholder;
      const value = values[name]!;
      return name === "count" && typeof value === "number" ? formatNumber(locale, value) : String(value);
    });
  };
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(DICTIONARIES.en, key);
}

/**
 * The label of a value the server sends as a plain string (an operation kind, a placement
 * strategy): the message `${prefix}.${value}` when there is one, else the value itself.
 */
export function labelOf(t: Translate, prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return isMessageKey(key) ? t(key) : value;
}
