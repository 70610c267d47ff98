import type { Translate, TranslateValues } from "./translate";

/*
 * Texts the server sends as a code with parameters (events, reasons, errors; see the server's
 * server/messages.ts), rendered here in the reader's language. Mirrors the server's MessageRef
 * type, kept here so the UI never imports server code.
 */
export type MessageParam = string | number | MessageRef;
export type MessageRef = { code: string; params?: Record<string, MessageParam> };

function isRef(value: unknown): value is MessageRef {
  return typeof value === "object" && value !== null && typeof (value as { code?: unknown }).code === "string";
}

/**
 * The message for `ref` in the reader's language; a parameter that is itself a reference is
 * rendered first. A code this dictionary does not know (a newer server) shows `fallback`, or the
 * code itself, rather than nothing.
 */
export function renderMessage(t: Translate, ref: MessageRef, fallback?: string | null): string {
  if (!t.has(ref.code)) return fallback ?? ref.code;
  const values: TranslateValues = {};
  for (const [name, value] of Object.entries(ref.params ?? {})) values[name] = isRef(value) ? renderMessage(t, value) : value;
  return t(ref.code, values);
}

/**
 * A server text that may be a reference or plain text: rows written before texts became codes
 * (and English-only sources) carry the text itself, shown as it is.
 */
export function renderText(t: Translate, text: MessageRef | string | null | undefined, fallback?: string | null): string | null {
  if (isRef(text)) return renderMessage(t, text, fallback);
  return text ?? fallback ?? null;
}
