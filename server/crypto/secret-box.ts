/**
 * Panel credentials at rest (invariant 4): AES-256-GCM with a key ring. PANEL_SECRET_KEYS holds
 * comma-separated `keyId:base64key` pairs of 32-byte keys; the first encrypts, all decrypt, so a
 * key is rotated by putting a new one first and re-encrypting. The AAD binds a ciphertext to its
 * row, so a value copied onto another node does not decrypt.
 *
 * Format: `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const FORMAT_VERSION = "v1";
const IV_BYTES = 12;

export type KeyRing = { activeKeyId: string; keys: ReadonlyMap<string, Buffer> };

/** Recognised by name, like PanelError (x3ui/types.ts › isPanelError): the server bundles this module more than once. */
export function isSecretBoxError(error: unknown): error is SecretBoxError {
  return error instanceof Error && error.name === "SecretBoxError";
}

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretBoxError";
  }
}

export function parseKeyRing(spec: string): KeyRing {
  const keys = new Map<string, Buffer>();
  let activeKeyId: string | undefined;
  for (const part of spec.split(",").map((p) => p.trim()).filter(Boolean)) {
    const separator = part.indexOf(":");
    const id = part.slice(0, separator);
    if (separator <= 0 || !/^[A-Za-z0-9_-]+$/.test(id)) {
      throw new SecretBoxError("PANEL_SECRET_KEYS: each entry is keyId:base64key with a keyId of letters, digits, - or _");
    }
    const key = Buffer.from(part.slice(separator + 1), "base64");
    if (key.length !== 32) throw new SecretBoxError(`PANEL_SECRET_KEYS: key "${id}" must be 32 bytes (base64)`);
    if (keys.has(id)) throw new SecretBoxError(`PANEL_SECRET_KEYS: key id "${id}" appears twice`);
    keys.set(id, key);
    activeKeyId ??= id;
  }
  if (!activeKeyId) throw new SecretBoxError("PANEL_SECRET_KEYS: no key given");
  return { activeKeyId, keys };
}

export function encryptSecret(ring: KeyRing, plaintext: string, aad: string): string {
  const key = ring.keys.get(ring.activeKeyId)!;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [FORMAT_VERSION, ring.activeKeyId, iv, ciphertext, cipher.getAuthTag()]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

export function decryptSecret(ring: KeyRing, sealed: string, aad: string): string {
  const [version, keyId, iv, ciphertext, tag, ...rest] = sealed.split(".");
  if (version !== FORMAT_VERSION || !keyId || !iv || ciphertext === undefined || !tag || rest.length) {
    throw new SecretBoxError("sealed secret has an unknown format");
  }
  const key = ring.keys.get(keyId);
  if (!key) throw new SecretBoxError(`sealed secret uses key "${keyId}", which is not in PANEL_SECRET_KEYS`);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretBoxError("sealed secret failed authentication (tampered, or bound to another row)");
  }
}

/** For rotation: returns the value sealed under the active key, or null when it already is. */
export function reencryptSecret(ring: KeyRing, sealed: string, aad: string): string | null {
  if (sealed.split(".")[1] === ring.activeKeyId) return null;
  return encryptSecret(ring, decryptSecret(ring, sealed, aad), aad);
}
