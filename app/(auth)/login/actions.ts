"use server";

import { AuthError } from "next-auth";
import { signIn } from "@/server/auth/config";

/** What went wrong, as a code: the form shows it in the reader's language. */
export type LoginError = "missing" | "throttled" | "wrong" | "totp-required" | "totp-invalid";
export type LoginState = { error: LoginError | null; username: string; needsCode: boolean };

/** Only same-site paths: an open redirect after login would hand a phishing page our session. */
function safeCallback(value: FormDataEntryValue | null): string {
  const path = typeof value === "string" ? value : "";
  return path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\") ? path : "/";
}

const CODE_ERRORS = new Set<string>(["throttled", "totp-required", "totp-invalid"]);

export async function login(_previous: LoginState, formData: FormData): Promise<LoginState> {
  const username = String(formData.get("username") ?? "").trim();
  const password = String(formData.get("password") ?? "");
  const totp = String(formData.get("totp") ?? "").trim();
  if (!username || !password) return { error: "missing", username, needsCode: false };
  try {
    await signIn("credentials", { username, password, totp, redirectTo: safeCallback(formData.get("callbackUrl")) });
    return { error: null, username, needsCode: false };
  } catch (error) {
    // signIn redirects by throwing; only Auth.js errors are ours to turn into a message.
    if (!(error instanceof AuthError)) throw error;
    const code = (error as AuthError & { code?: string }).code ?? "";
    const known = (CODE_ERRORS.has(code) ? code : "wrong") as LoginError;
    return { error: known, username, needsCode: known === "totp-required" || known === "totp-invalid" };
  }
}
