"use server";

import { AuthError } from "next-auth";
import { signIn } from "@/server/auth/config";

/** What went wrong, as a code: the form shows it in the reader's language. */
export type LoginError = "missing" | "throttled" | "wrong";
export type LoginState = { error: LoginError | null; username: string };

/** Only same-site paths: an open redirect after login would hand a phishing page our session. */
function safeCallback(value: FormDataEntryValue | null): string {
  const path = typeof value === "string" ? value : "";
  return path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\") ? path : "/";
}

export async function login(_previous: LoginState, formData: FormData): Promise<LoginState> {
  const username = String(formData.get("username") ?? "").trim();
  const password = String(formData.get("password") ?? "");
  if (!username || !password) return { error: "missing", username };
  try {
    await signIn("credentials", { username, password, redirectTo: safeCallback(formData.get("callbackUrl")) });
    return { error: null, username };
  } catch (error) {
    // signIn redirects by throwing; only Auth.js errors are ours to turn into a message.
    if (!(error instanceof AuthError)) throw error;
    const code = (error as AuthError & { code?: string }).code;
    if (code === "throttled") return { error: "throttled", username };
    return { error: "wrong", username };
  }
}
