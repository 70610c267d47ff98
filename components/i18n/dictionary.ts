import type { Locale } from "./locale";
import type { Dictionary } from "./messages/en";

/*
 * One module per locale, imported on demand, so the bundler puts each language in a chunk of
 * its own and a browser downloads only its reader's (once: the chunk is immutable and cached).
 * The server translates with the same loader.
 */
const LOADERS: Record<Locale, () => Promise<Dictionary>> = {
  en: () => import("./messages/en").then((module) => module.en),
  ru: () => import("./messages/ru").then((module) => module.ru),
};

// One promise per locale for the life of the process or page: React's use() needs the same
// promise on every render, and a settled one lets it render without suspending.
const loaded = new Map<Locale, Promise<Dictionary>>();

export function loadDictionary(locale: Locale): Promise<Dictionary> {
  let dictionary = loaded.get(locale);
  if (!dictionary) {
    dictionary = LOADERS[locale]();
    loaded.set(locale, dictionary);
  }
  return dictionary;
}
