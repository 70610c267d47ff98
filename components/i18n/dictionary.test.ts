import { beforeAll, describe, expect, it } from "vitest";

import { loadDictionary } from "./dictionary";
import { LOCALES, type Locale } from "./locale";
import type { Dictionary, MessageKey } from "./messages/en";
import { PLURAL_FORMS } from "./plural";

let dictionaries: Record<Locale, Dictionary>;

beforeAll(async () => {
  const loaded = await Promise.all(LOCALES.map(async (locale) => [locale, await loadDictionary(locale)] as const));
  dictionaries = Object.fromEntries(loaded) as Record<Locale, Dictionary>;
});

describe("loadDictionary", () => {
  it("loads each locale's own messages", () => {
    expect(dictionaries.en["app.tagline"]).toBe("3X-UI control plane");
    expect(dictionaries.ru["app.tagline"]).toBe("Панель управления 3X-UI");
    expect(dictionaries.ru["users.count"]).toBe("{count} пользователь|{count} пользователя|{count} пользователей");
  });

  it.each(LOCALES)("%s has exactly the English keys", (locale) => {
    expect(Object.keys(dictionaries[locale]).sort()).toEqual(Object.keys(dictionaries.en).sort());
  });

  it.each(LOCALES)("%s translates every message (no empty strings)", (locale) => {
    for (const [key, message] of Object.entries(dictionaries[locale])) expect(message.trim(), key).not.toBe("");
  });

  it("refuses, at typecheck, a dictionary missing a key or adding one", () => {
    const { "app.tagline": _tagline, ...withoutTagline } = dictionaries.ru;
    // @ts-expect-error a locale without "app.tagline" is not a Dictionary
    const missing: Dictionary = withoutTagline;
    // @ts-expect-error nor is one with a key English does not have
    const extra: Dictionary = { ...dictionaries.ru, "app.nonexistent": "x" };
    expect([missing, extra]).toHaveLength(2);
  });
});

describe("dictionaries", () => {
  const placeholders = (message: string) => [...new Set(message.match(/\{\w+\}/g) ?? [])].sort();
  const keys = () => Object.keys(dictionaries.en) as MessageKey[];

  it.each(LOCALES)("%s: plural messages have the locale's number of forms", (locale) => {
    for (const key of keys()) {
      const isPlural = dictionaries.en[key].includes("|");
      const message = dictionaries[locale][key];
      expect(message.includes("|"), key).toBe(isPlural);
      if (isPlural) {
        expect(message.split("|"), key).toHaveLength(PLURAL_FORMS[locale].length);
        expect(message, key).toContain("{count}");
      }
    }
  });

  it("ru uses the same placeholders as en", () => {
    for (const key of keys()) {
      const en = dictionaries.en[key].split("|").map(placeholders);
      for (const form of dictionaries.ru[key].split("|")) expect(placeholders(form), key).toEqual(en[0]);
    }
  });
});
