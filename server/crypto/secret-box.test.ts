import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, parseKeyRing, reencryptSecret, SecretBoxError } from "./secret-box";

const key = () => randomBytes(32).toString("base64");

describe("secret box", () => {
  const ring = parseKeyRing(`k1:${key()}`);

  it("round-trips and never repeats a ciphertext", () => {
    const a = encryptSecret(ring, "hunter2", "node:1");
    const b = encryptSecret(ring, "hunter2", "node:1");
    expect(a).not.toBe(b);
    expect(a).not.toContain("hunter2");
    expect(decryptSecret(ring, a, "node:1")).toBe("hunter2");
  });

  it("refuses a ciphertext moved to another row", () => {
    const sealed = encryptSecret(ring, "hunter2", "node:1");
    expect(() => decryptSecret(ring, sealed, "node:2")).toThrow(SecretBoxError);
  });

  it("refuses a tampered ciphertext, tag or iv", () => {
    const sealed = encryptSecret(ring, "a longer secret value", "node:1");
    const parts = sealed.split(".");
    for (const index of [2, 3, 4]) {
      const bytes = Buffer.from(parts[index]!, "base64url");
      bytes[0]! ^= 1;
      const tampered = parts.map((p, i) => (i === index ? bytes.toString("base64url") : p)).join(".");
      expect(() => decryptSecret(ring, tampered, "node:1")).toThrow(SecretBoxError);
    }
    expect(() => decryptSecret(ring, "v0.k1.a.b.c", "node:1")).toThrow(/unknown format/);
  });

  it("rotates: old keys still decrypt, re-encryption moves values to the new key", () => {
    const oldKey = key();
    const before = parseKeyRing(`old:${oldKey}`);
    const sealed = encryptSecret(before, "p@ss", "node:9");
    const after = parseKeyRing(`new:${key()},old:${oldKey}`);
    expect(decryptSecret(after, sealed, "node:9")).toBe("p@ss");
    const rotated = reencryptSecret(after, sealed, "node:9");
    expect(rotated?.split(".")[1]).toBe("new");
    expect(reencryptSecret(after, rotated!, "node:9")).toBeNull();
    const newOnly = parseKeyRing(after.keys.get("new")!.toString("base64").replace(/^/, "new:"));
    expect(decryptSecret(newOnly, rotated!, "node:9")).toBe("p@ss");
    expect(() => decryptSecret(newOnly, sealed, "node:9")).toThrow(/not in PANEL_SECRET_KEYS/);
  });

  it("rejects malformed key rings", () => {
    expect(() => parseKeyRing("")).toThrow(/no key/);
    expect(() => parseKeyRing("k1:c2hvcnQ=")).toThrow(/32 bytes/);
    expect(() => parseKeyRing(`k1:${key()},k1:${key()}`)).toThrow(/twice/);
    expect(() => parseKeyRing(key())).toThrow(/keyId/);
  });
});
