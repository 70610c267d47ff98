import { describe, expect, it } from "vitest";
import { formatValue } from "./format";

const NBSP = /[\u00a0\u202f]/g;
const plain = (text: string) => text.replace(NBSP, " ");

describe("formatValue", () => {
  it("puts the unit on every value, in the reader's language", () => {
    expect(plain(formatValue(142, "en", "ms"))).toBe("142 ms");
    expect(plain(formatValue(1200, "ru", "ms"))).toBe("1 200 мс");
    expect(plain(formatValue(87, "en", "percent"))).toBe("87%");
    expect(plain(formatValue(87, "ru", "percent"))).toBe("87 %");
    expect(plain(formatValue(1.5 * 1024 ** 3, "en", "bytes"))).toBe("1.5 GB");
    expect(plain(formatValue(1.5 * 1024 ** 3, "ru", "bytes"))).toBe("1,5 ГБ");
    expect(plain(formatValue(512, "en", "bytes"))).toBe("512 byte");
  });

  it("gives tooltips more digits than axis ticks", () => {
    expect(plain(formatValue(142.36, "en", "ms"))).toBe("142 ms");
    expect(plain(formatValue(142.36, "en", "ms", { exact: true }))).toBe("142.4 ms");
    expect(plain(formatValue(99.875, "en", "percent", { exact: true }))).toBe("99.88%");
    expect(plain(formatValue(1_234_567, "ru"))).toBe("1 234 567");
  });
});
