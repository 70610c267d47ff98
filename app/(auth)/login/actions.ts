"use server";

import { AuthError } from "next-auth";
import { signIn } from "@/server/auth/config";

export type LoginState = { error: string | null; username: string };

/** Only same-site paths: an open redirect after login would hand a phishing page our session. */
function safeCallback(value: FormDataEntryValue | null): string {
  const path = typeof value === "string" ? value : "";
  return path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\") ? path : "/";
}

export async function login(_previous: LoginState, formData: FormData): Promise<LoginState> {
  const username = String(formData.get("username") ?? "").trim();
  const password = String(formData.get("password") ?? "");
  if (!username || !password) return { error: "Enter your username and password.", username };
  try {
    await signIn("credentials", { username, password, redirectTo: safeCallback(formData.get("callbackUrl")) });
    return { error: null, username };
  } catch (error) {
    // signIn redirects by throwing; only Auth.js errors are ours to turn into a message.
    if (!(error instanceof AuthError)) throw error;
    const code = (error as AuthError & { code?: string }).code;
    if (code === "throttled") return { error: "Too many failed attempts. Wait a few minutes, then try again.", username };
    return { error: "Wrong username or password.", username };
  }
}
