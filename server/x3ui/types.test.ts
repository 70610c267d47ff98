import { describe, expect, it } from "vitest";
import { isOutcomeUnknown, isPanelError, PanelError } from "./types";

describe("isPanelError", () => {
  it("recognises a PanelError made by another copy of this module, as the production bundles have", async () => {
    // A second, separately evaluated copy of the module: its class is not this one's.
    const other = (await import(`./types?copy=${Date.now()}`)) as typeof import("./types");
    expect(other.PanelError).not.toBe(PanelError);
    const foreign = new other.PanelError("auth", "login refused", 200);
    expect(foreign instanceof PanelError).toBe(false);
    expect(isPanelError(foreign)).toBe(true);
    expect(isPanelError(foreign, "auth")).toBe(true);
    expect(isPanelError(foreign, "timeout")).toBe(false);
    expect(isOutcomeUnknown(new other.PanelError("timeout", "slow"))).toBe(true);
  });

  it("does not take any error for one", () => {
    expect(isPanelError(new Error("x"))).toBe(false);
    expect(isPanelError({ name: "PanelError", kind: "auth" })).toBe(false);
  });
});
