/**
 * What a page shows that is not in the reader's language: a message key or server code shown as
 * it is (a code the dictionary lacks), a placeholder nobody filled, "undefined" or "NaN", and — on
 * a page in another language — English: a text with two or more words that only the English
 * dictionary uses, or one such word standing alone ("healthy"). Words that the other language
 * keeps in Latin letters (Xray, TLS, Telegram…) appear in its dictionary too and do not count;
 * addresses, names with digits and identifiers are left out before the words are read. Tooltips
 * (title) are held to codes and placeholders only: one that is a single identifier (the event kind
 * on an event's badge) or the technical detail behind a translated error is shown on purpose.
 */
import type { Page } from "@playwright/test";
import type { Locale } from "../../components/i18n/locale";
import { en } from "../../components/i18n/messages/en";
import { ru } from "../../components/i18n/messages/ru";

const DICTIONARIES = { en, ru } as const;

/** Lower-case Latin words of 3+ letters in a dictionary's messages (placeholders left out). */
function latinWords(messages: Record<string, string>): Set<string> {
  const words = new Set<string>();
  for (const message of Object.values(messages)) {
    for (const word of message.replace(/\{\w+\}/g, " ").toLowerCase().match(/[a-z]{3,}/g) ?? []) words.add(word);
  }
  return words;
}

/** The first segments of the message keys ("nav", "event", "auditAction"…): what a code shown raw starts with. */
const KEY_PREFIXES = new Set(Object.keys(en).map((key) => key.split(".")[0]!));

function englishOnlyWords(locale: Locale): Set<string> {
  const native = latinWords(DICTIONARIES[locale]);
  return new Set([...latinWords(en)].filter((word) => !native.has(word)));
}

/** Tokens that are data, not language: addresses, paths, e-mails, identifiers, anything with a digit. */
const DATA_TOKEN = /[:/@_\d]|\.\w/;

type PageText = { text: string; isTooltip: boolean };

/** The texts a reader meets: each element's own text (React may split a sentence into several text nodes) and its labels. */
async function pageTexts(page: Page): Promise<PageText[]> {
  return page.evaluate(() => {
    const texts: { text: string; isTooltip: boolean }[] = [];
    const visible = (element: Element) => {
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      return style.visibility !== "hidden" && style.display !== "none" && (box.width > 0 || box.height > 0);
    };
    for (const element of document.body.querySelectorAll("*")) {
      if (["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"].includes(element.tagName)) continue;
      const own = [...element.childNodes]
        .filter((node) => node.nodeType === Node.TEXT_NODE)
        .map((node) => node.textContent ?? "")
        .join("")
        .trim();
      if (own && (visible(element) || element.closest("[role=img], svg"))) texts.push({ text: own, isTooltip: false });
      for (const attribute of ["title", "aria-label", "placeholder", "alt"]) {
        const value = element.getAttribute(attribute)?.trim();
        if (value) texts.push({ text: value, isTooltip: attribute === "title" });
      }
    }
    return texts;
  });
}

const CODE = /^[a-z][a-zA-Z]*(\.[a-zA-Z][a-zA-Z0-9_]*)+$/;

/**
 * Each text on the page that is not in `locale`, with why; empty when the page reads right. `names`
 * are what operators called things (nodes named "kbd-node" or "plans-a" by other specs): data, not language.
 */
export async function untranslatedTexts(page: Page, locale: Locale, names: readonly string[] = []): Promise<string[]> {
  const isName = new Set(names.map((name) => name.toLowerCase()));
  const englishOnly = locale === "en" ? new Set<string>() : englishOnlyWords(locale);
  const findings = new Set<string>();
  for (const { text, isTooltip } of await pageTexts(page)) {
    // A tooltip that is one identifier (an event kind, an audit action) names the machine's word on purpose.
    if (isTooltip && CODE.test(text)) continue;
    if (/\{\w+\}/.test(text)) findings.add(`unfilled placeholder: "${text}"`);
    if (/^(undefined|null|NaN)$|\b(undefined|NaN)\b/.test(text)) findings.add(`missing value: "${text}"`);
    for (const token of text.split(/\s+/)) {
      const code = token.replace(/^[("«“]+|[)"»”.,:;!?]+$/g, "");
      if (CODE.test(code) && KEY_PREFIXES.has(code.split(".")[0]!)) findings.add(`message code shown raw: "${text}"`);
    }
    // A tooltip may carry the technical detail behind a translated text (a node's last error as the
    // panel client saw it); English is looked for in what the page says and in its labels.
    if (locale === "en" || isTooltip) continue;
    const tokens = text
      .split(/\s+/)
      .filter((token) => !DATA_TOKEN.test(token) && !isName.has(token.replace(/^[("«“]+|[)"»”.,:;!?]+$/g, "").toLowerCase()));
    const words = tokens.flatMap((token) => token.toLowerCase().match(/[a-zа-яё]{3,}/g) ?? []);
    const english = words.filter((word) => englishOnly.has(word));
    // Two English words, or English making up half of what is said ("moved to fra-2", "healthy").
    if (english.length >= 2 || (english.length === 1 && english[0]!.length >= 4 && english.length * 2 >= words.length)) {
      findings.add(`English: "${text.slice(0, 160)}"`);
    }
  }
  return [...findings];
}
