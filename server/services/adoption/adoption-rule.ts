/**
 * How an existing panel client is matched to a Telegram user when it is adopted: its own `tgId`
 * field, a regular expression over its email whose first group (or a group named `tg`) is the id,
 * or an operator's CSV of `email,telegram id` lines. A rule is parsed once, with field errors a
 * person can act on, and then maps every client the same way.
 */
import { z } from "zod";
import { AppError, type FieldErrors } from "@/server/errors";
import { ref } from "@/server/messages";
import { TelegramId } from "@/server/services/users/telegram-id";
import type { InboundClient } from "@/server/x3ui/types";

const MAX_PATTERN_LENGTH = 200;
/** 10,000 lines of a generous 100 bytes each, and then some. */
export const MAX_CSV_BYTES = 2 * 1024 * 1024;

export const adoptionRuleSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("tgId") }),
  z.object({ kind: z.literal("emailRegex"), pattern: z.string().min(1).max(MAX_PATTERN_LENGTH) }),
  z.object({ kind: z.literal("csv"), csv: z.string().min(1).max(MAX_CSV_BYTES) }),
]);

export type AdoptionRule = z.infer<typeof adoptionRuleSchema>;

/** A client's telegram id under the rule, or null when the rule finds none. */
export type ClientMapper = (client: Pick<InboundClient, "email" | "tgId">) => number | null;

function refuse(fields: FieldErrors): never {
  throw new AppError("BAD_REQUEST", ref("error.badRequest"), { fields });
}

function asTelegramId(value: unknown): number | null {
  const n = typeof value === "string" ? (/^\d{1,16}$/.test(value) ? Number(value) : NaN) : value;
  const parsed = TelegramId.safeParse(n);
  return parsed.success ? parsed.data : null;
}

function compilePattern(pattern: string): RegExp {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (error) {
    return refuse({ "rule.pattern": ref("adoption.field.regex", { detail: (error as Error).message.replace(/^Invalid regular expression: /, "") }) });
  }
  // One capture group (or a named `tg`) says which part of the email is the id.
  const groups = new RegExp(`${pattern}|`).exec("")!.length - 1;
  if (groups < 1) refuse({ "rule.pattern": ref("adoption.field.regexGroup") });
  return regex;
}

/** `email,telegram id` per line; `;` or a tab also separate; an optional header; quotes and blanks trimmed. */
export function parseMappingCsv(csv: string): Map<string, number> {
  const entries = new Map<string, { id: number; line: number }>();
  const lines = csv.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    const cells = raw.split(/[,;\t]/).map((c) => c.trim().replace(/^"(.*)"$/, "$1").trim());
    const [email, id, ...rest] = cells;
    const telegramId = asTelegramId(id);
    if (line === 1 && telegramId === null && rest.length === 0 && id !== undefined && !/^\d/.test(id)) return; // a header
    if (!email || telegramId === null || rest.some((c) => c !== "")) refuse({ "rule.csv": ref("adoption.field.csvLine", { line }) });
    const key = email!.toLowerCase();
    const earlier = entries.get(key);
    if (earlier && earlier.id !== telegramId) refuse({ "rule.csv": ref("adoption.field.csvDuplicate", { line, email: email! }) });
    entries.set(key, { id: telegramId!, line });
  });
  if (entries.size === 0) refuse({ "rule.csv": ref("adoption.field.csvEmpty") });
  return new Map([...entries].map(([email, { id }]) => [email, id]));
}

export function compileRule(rule: AdoptionRule): ClientMapper {
  switch (rule.kind) {
    case "tgId":
      return (client) => asTelegramId(client.tgId);
    case "emailRegex": {
      const regex = compilePattern(rule.pattern);
      return (client) => {
        const match = regex.exec(client.email);
        return match ? asTelegramId(match.groups?.tg ?? match[1]) : null;
      };
    }
    case "csv": {
      const mapping = parseMappingCsv(rule.csv);
      return (client) => mapping.get(client.email.toLowerCase()) ?? null;
    }
  }
}

/** The rule as the CLI writes it: `tgId`, `email-regex=REGEX`, `csv=FILE` (the file's text read by the caller). */
export function describeRule(rule: AdoptionRule): string {
  switch (rule.kind) {
    case "tgId":
      return "tgId";
    case "emailRegex":
      return `email-regex=${rule.pattern}`;
    case "csv":
      return "csv";
  }
}
