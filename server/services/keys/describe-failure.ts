/** Why a panel step failed, as stored on an assignment or an operation item and shown to admins; never sent to the bot. */
import { isPanelError } from "@/server/x3ui/types";
import { NodeBusyError } from "./node-mutation";

export function describeFailure(error: unknown): string {
  if (isPanelError(error)) return `panel ${error.kind}`;
  if (error instanceof NodeBusyError) return "node busy";
  return "unexpected error";
}
