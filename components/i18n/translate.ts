import { DICTIONARIES, type MessageKey } from "./dictionaries";
import type { Locale } from "./locale";

export type TranslateValues = Record<string, string | number>;
export type Translate = (key: MessageKey, values?: TranslateValues) => string;

/**
 * Builds `t()` for one locale. Plain function so server components can translate too:
 * `const t = createTranslator(resolveLocale(cookieValue))`.
 */
export function createTranslator(locale: Locale): Translate {
  const dictionary = DICTIONARIES[locale];
  return (key, values) => {
    const template = dictionary[key];
    if (!values) return template;
    return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
      name in values ? String(values[name]) : placeholder,
    );
  };
}
