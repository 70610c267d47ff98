/** Why a panel step failed, as stored on an assignment or an operation item and shown to admins; never sent to the bot. */
import { isPanelError } from "@/server/x3ui/types";
import { OutcomeUnknownError } from "./node-client";
import { NodeBusyError } from "./node-writer";

export function describeFailure(error: unknown): string {
  if (isPanelError(error)) return `panel ${error.kind}`;
  if (error instanceof NodeBusyError) return "node busy";
  if (error instanceof OutcomeUnknownError) return "outcome unknown";
  return "unexpected error";
}
