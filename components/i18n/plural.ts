import type { Locale } from "./locale";

/*
 * Plural forms for `t()`. A plural message lists its forms separated by `|`, in the order of
 * PLURAL_FORMS for its locale: English "one|other" ("{count} user|{count} users"), Russian
 * "one|few|many" ("{count} пользователь|{count} пользователя|{count} пользователей").
 */
export const PLURAL_FORMS: Record<Locale, readonly Intl.LDMLPluralRule[]> = {
  en: ["one", "other"],
  ru: ["one", "few", "many"],
};

// Categories a locale has that its message forms do not list: Russian "other" is for fractions
// (1,5 пользователя), which read like "few".
const FALLBACK: Partial<Record<Locale, Partial<Record<Intl.LDMLPluralRule, Intl.LDMLPluralRule>>>> = {
  ru: { other: "few" },
};

const rules = new Map<Locale, Intl.PluralRules>();

function rulesFor(locale: Locale): Intl.PluralRules {
  let rule = rules.get(locale);
  if (!rule) {
    rule = new Intl.PluralRules(locale);
    rules.set(locale, rule);
  }
  return rule;
}

/** Which of the locale's forms (index into PLURAL_FORMS[locale]) a count takes. */
export function pluralFormIndex(locale: Locale, count: number): number {
  const order = PLURAL_FORMS[locale];
  const category = rulesFor(locale).select(count);
  const index = order.indexOf(FALLBACK[locale]?.[category] ?? category);
  return index === -1 ? order.length - 1 : index;
}

/** Picks the form for `count` from "form|form|form"; a message without `|` is returned as is. */
export function selectPlural(locale: Locale, count: number, message: string): string {
  if (!message.includes("|")) return message;
  const forms = message.split("|");
  return forms[Math.min(pluralFormIndex(locale, count), forms.length - 1)]!;
}
