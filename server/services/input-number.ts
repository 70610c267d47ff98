/**
 * Numbers as people type them: a number, or a string in either decimal notation — "1.5" or "1,5"
 * (the decimal comma of Russian and most of Europe). Forms may send what the field holds and
 * let the server read it; an empty string is a missing value (the field's "required"), and text
 * that is no number stays text, so the validation error map says "must be a number".
 * No thousands separators: "1,500" would be ambiguous.
 */
import { z } from "zod";

const DECIMAL = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/;

export function readLocaleNumber(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  return DECIMAL.test(trimmed) ? Number(trimmed.replace(",", ".")) : value;
}

/** `schema` (a z.number() chain) that also takes "1,5" and "1.5". */
export function localeNumber<S extends z.ZodType<number>>(schema: S) {
  return z.preprocess(readLocaleNumber, schema);
}
