import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fieldErrorsFromZod } from "@/server/errors";
import { localeNumber, readLocaleNumber } from "./input-number";

describe("readLocaleNumber", () => {
  it.each([
    ["1,5", 1.5],
    ["1.5", 1.5],
    [" 2 ", 2],
    ["-0,25", -0.25],
    [",5", 0.5],
    ["3,", 3],
    [7, 7],
  ])("%j → %j", (input, expected) => {
    expect(readLocaleNumber(input)).toBe(expected);
  });

  it("leaves what is not one number as it is, and reads a blank as missing", () => {
    expect(readLocaleNumber("1,500.5")).toBe("1,500.5");
    expect(readLocaleNumber("1,5,5")).toBe("1,5,5");
    expect(readLocaleNumber("abc")).toBe("abc");
    expect(readLocaleNumber("  ")).toBeUndefined();
  });

  it("gives the field's own message for text and for a blank", () => {
    const schema = z.object({ weight: localeNumber(z.number().positive()) });
    expect(schema.parse({ weight: "1,5" })).toEqual({ weight: 1.5 });
    expect(fieldErrorsFromZod(schema.safeParse({ weight: "abc" }).error!.issues)).toEqual({ weight: { code: "validation.number" } });
    expect(fieldErrorsFromZod(schema.safeParse({ weight: "" }).error!.issues)).toEqual({ weight: { code: "validation.required" } });
    expect(fieldErrorsFromZod(schema.safeParse({ weight: "0,0" }).error!.issues)).toEqual({ weight: { code: "validation.greaterThan", params: { minimum: 0 } } });
  });
});
