import { describe, expect, it } from "vitest";
import { en } from "@/components/i18n/messages/en";
import { ru } from "@/components/i18n/messages/ru";
import { renderErrorText } from "@/server/http/messages";
import { MESSAGE_PARAMS, ref, type MessageCode } from "./messages";

const CODES = Object.keys(MESSAGE_PARAMS) as MessageCode[];
const DICTIONARIES = { en: en as Record<string, string>, ru: ru as Record<string, string> };
const placeholders = (message: string) => [...new Set(message.match(/\{(\w+)\}/g)?.map((p) => p.slice(1, -1)) ?? [])].sort();

describe("server messages × locales", () => {
  it.each(Object.keys(DICTIONARIES) as (keyof typeof DICTIONARIES)[])("%s has every server code, each form with exactly its parameters", (locale) => {
    for (const code of CODES) {
      const message = DICTIONARIES[locale][code];
      expect(message, `${locale}: ${code}`).toBeTypeOf("string");
      for (const form of message!.split("|")) expect(placeholders(form), `${locale}: ${code}`).toEqual([...MESSAGE_PARAMS[code]].sort());
    }
  });

  it("Russian is Russian: every server message has Cyrillic words and differs from the English", () => {
    for (const code of CODES) {
      const message = ru[code as keyof typeof ru] as string;
      // What a Russian reader sees once the placeholders are filled: strip them, URLs and identifiers.
      const words = message.replace(/\{\w+\}/g, "").replace(/https?:\/\/\S+|[A-Z_]{3,}=?\w*/g, "");
      expect(words, code).toMatch(/[а-яё]{3,}/i);
      expect(message, code).not.toBe(en[code as keyof typeof en]);
    }
  });

  it("renders nested references in the reader's language", () => {
    const event = ref("event.node.down", {
      node: "fra-1",
      from: { code: "healthValue.healthy" },
      reason: ref("panel.refused", { address: "127.0.0.1:3099" }),
    });
    expect(renderErrorText(event)).toBe("fra-1 is unhealthy (was healthy): Nothing answers at 127.0.0.1:3099 — is the panel running, and is the port right?");
    expect(renderErrorText(event, "ru")).toBe(
      "fra-1 недоступен (был: работает): По адресу 127.0.0.1:3099 никто не отвечает — запущена ли панель и верен ли порт?",
    );
  });

  it("shows a code it does not know, and plain text as it is", () => {
    expect(renderErrorText({ code: "from.a.newer.server" })).toBe("from.a.newer.server");
    expect(renderErrorText("An English sentence from an older row.")).toBe("An English sentence from an older row.");
  });
});
