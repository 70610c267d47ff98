/**
 * Sends visitors without a session cookie to the login page before any dashboard page renders.
 * A convenience only: every dashboard layout and tRPC procedure checks the session itself.
 */
import { NextResponse, type NextRequest } from "next/server";

const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

export function proxy(request: NextRequest) {
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name));
  if (hasSession) return NextResponse.next();
  const login = new URL("/login", request.url);
  const target = request.nextUrl.pathname + request.nextUrl.search;
  if (target !== "/") login.searchParams.set("callbackUrl", target);
  return NextResponse.redirect(login);
}

export const config = {
  matcher: ["/((?!api/|sub/|login|_next/|favicon|icon|logo|.*\\.(?:svg|png|ico|txt)$).*)"],
};
