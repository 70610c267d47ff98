import { describe, expect, it } from "vitest";
import { isMessageCode } from "@/server/messages";
import { PanelError, type PanelErrorKind } from "@/server/x3ui/types";
import { describeFailure, failureRef } from "./describe-failure";
import { NodeBusyError } from "./node-writer";

const KINDS: PanelErrorKind[] = ["auth", "not_found", "duplicate", "unreachable", "timeout", "not_ready", "protocol"];

describe("a failed panel step", () => {
  it("is a message code for every panel error kind, a busy node and anything else, never the raw kind", () => {
    for (const kind of KINDS) {
      const error = new PanelError(kind, "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:3099");
      expect(failureRef(error)).toEqual({ code: `failure.panel.${kind}` });
      expect(describeFailure(error)).toBe(`panel ${kind}`);
    }
    expect(failureRef(new NodeBusyError("n"))).toEqual({ code: "failure.nodeBusy" });
    expect(failureRef(new Error("boom"))).toEqual({ code: "failure.unexpected" });
    for (const kind of KINDS) expect(isMessageCode(`failure.panel.${kind}`)).toBe(true);
  });
});
