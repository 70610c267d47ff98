/**
 * Why a panel step failed, stored on an assignment or an operation item (never sent to the bot):
 * `describeFailure` as short English for the logs and the text columns, `failureRef` as a code the
 * dashboard renders in the reader's language.
 */
import type { MessageRef } from "@/server/message-ref";
import { ref } from "@/server/messages";
import { isPanelError } from "@/server/x3ui/types";
import { OutcomeUnknownError } from "./node-client";
import { NodeBusyError } from "./node-writer";

export function describeFailure(error: unknown): string {
  if (isPanelError(error)) return `panel ${error.kind}`;
  if (error instanceof NodeBusyError) return "node busy";
  if (error instanceof OutcomeUnknownError) return "outcome unknown";
  return "unexpected error";
}

export function failureRef(error: unknown): MessageRef {
  if (isPanelError(error)) return ref(`failure.panel.${error.kind}`);
  if (error instanceof NodeBusyError) return ref("failure.nodeBusy");
  return ref("failure.unexpected");
}
