/**
 * Request bodies read as a stream that stops at a cap, so no caller can make the server hold more
 * than the cap in memory: a declared Content-Length over the cap is refused before a byte is read,
 * and a body without one (chunked) is cut off as soon as it passes the cap. Either way the answer
 * is 413 PAYLOAD_TOO_LARGE. Callers authenticate from the headers first, so an unauthenticated
 * request never gets its body read at all.
 */
import { AppError } from "@/server/errors";

/** Per surface: the bot's JSON is tiny, the dashboard's tRPC batches are bounded, sign-in is two fields. */
export const BODY_LIMITS = {
  bot: 16 * 1024,
  trpc: 1024 * 1024,
  signIn: 8 * 1024,
} as const;

function tooLarge(maxBytes: number): AppError {
  return new AppError("PAYLOAD_TOO_LARGE", `The request body must be at most ${maxBytes} bytes.`);
}

/** Throws PAYLOAD_TOO_LARGE when the declared length is over the cap, without touching the body. */
export function assertDeclaredLengthWithin(request: Request, maxBytes: number): void {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
    void request.body?.cancel().catch(() => {});
    throw tooLarge(maxBytes);
  }
}

/** The body's bytes, at most `maxBytes` of them; past that the stream is cancelled and 413 thrown. */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  assertDeclaredLengthWithin(request, maxBytes);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  return new TextDecoder().decode(await readBodyBytes(request, maxBytes));
}
