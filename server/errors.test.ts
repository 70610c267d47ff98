import { describe, expect, it, vi } from "vitest";
import { AppError, isAppError, toAppError } from "./errors";

describe("AppError", () => {
  it("is recognised when thrown by another copy of this module (one per route bundle in production)", async () => {
    vi.resetModules();
    const other = (await import(/* @vite-ignore */ `./errors?copy=${Date.now()}`)) as typeof import("./errors");
    const foreign = new other.AppError("TOO_MANY_REQUESTS", "Slow down.", { retryAfterSeconds: 3 });
    expect(other.AppError).not.toBe(AppError);
    expect(foreign instanceof AppError).toBe(true);
    expect(isAppError(foreign)).toBe(true);
    expect(toAppError(foreign)).toBe(foreign);
    expect(new Error("x") instanceof AppError).toBe(false);
    expect(toAppError(new Error("x")).code).toBe("INTERNAL");
  });
});
