/**
 * A server text as a code with parameters, never as a sentence: events, a node's last error, a
 * check's error, an operation's reason and outcome, an error's message and field messages. The
 * dashboard renders it in the reader's language from the per-locale dictionaries
 * (components/i18n/messages/*), where `code` is a message key and `params` fill its placeholders.
 * A parameter may itself be a MessageRef (a health state, a nested reason), rendered the same way.
 * The codes and their parameters are listed once, in server/messages.ts.
 */
export type MessageParam = string | number | MessageRef;

export type MessageRef = { code: string; params?: Record<string, MessageParam> };

export function isMessageRef(value: unknown): value is MessageRef {
  return typeof value === "object" && value !== null && typeof (value as { code?: unknown }).code === "string";
}
