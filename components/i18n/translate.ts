import { formatNumber } from "./format";
import type { Locale } from "./locale";
import type { Dictionary, MessageKey } from "./messages/en";
import { selectPlural } from "./plural";

export type TranslateValues = Record<string, string | number>;
export type Translate = ((key: MessageKey, values?: TranslateValues) => string) & {
  /** Whether `key` is a message (for keys built at run time from server values). */
  has: (key: string) => key is MessageKey;
};

/**
 * Builds `t()` for one locale from its dictionary (see loadDictionary). Plain function so server
 * components can translate too (see server.ts).
 *
 * Plurals: a message with `|` lists its forms (see plural.ts) and takes a numeric `count`, which
 * picks the form and is shown formatted for the locale: t("users.count", { count: 5 }).
 */
export function createTranslator(locale: Locale, dictionary: Dictionary): Translate {
  const translate = (key: MessageKey, values?: TranslateValues) => {
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
  const has = (key: string): key is MessageKey => Object.hasOwn(dictionary, key);
  return Object.assign(translate, { has });
}

/**
 * The label of a value the server sends as a plain string (an operation kind, a placement
 * strategy): the message `${prefix}.${value}` when there is one, else the value itself.
 */
export function labelOf(t: Translate, prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return t.has(key) ? t(key) : value;
}
