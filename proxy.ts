/**
 * Runs before every page (never the API, subscriptions or static files):
 *
 * 1. A fresh nonce per request and a Content-Security-Policy built on it: scripts run only when
 *    they carry the nonce (Next adds it to its own scripts when it finds the policy on the request;
 *    the root layout hands it to next-themes' inline script) or are loaded by one that does
 *    ('strict-dynamic'); no other inline script, no eval, no plugins, no <base> hijack, forms post
 *    only here, and no site may frame the dashboard (frame-ancestors 'none' — clickjacking).
 *    Styles may be inline: charts and toasts set style attributes.
 * 2. Visitors without a session cookie go to the login page before any dashboard page renders — a
 *    convenience only: every dashboard layout and tRPC procedure checks the session itself.
 *
 * Headers every answer carries (nosniff, Referrer-Policy, Permissions-Policy, HSTS over https, a
 * deny-all policy for JSON) are set in next.config.ts.
 */
import { NextResponse, type NextRequest } from "next/server";

const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];
const PUBLIC_PAGES = new Set(["/login"]);

function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function proxy(request: NextRequest) {
  const nonce = btoa(crypto.randomUUID());
  const policy = contentSecurityPolicy(nonce);
  const { pathname, search } = request.nextUrl;
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name));

  let response: NextResponse;
  if (hasSession || PUBLIC_PAGES.has(pathname)) {
    const headers = new Headers(request.headers);
    headers.set("x-nonce", nonce);
    headers.set("content-security-policy", policy);
    response = NextResponse.next({ request: { headers } });
  } else {
    const login = new URL("/login", request.url);
    if (pathname + search !== "/") login.searchParams.set("callbackUrl", pathname + search);
    response = NextResponse.redirect(login);
  }
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  matcher: ["/((?!api/|sub/|_next/static|_next/image|favicon|icon|logo|.*\\.(?:svg|png|ico|txt|webmanifest)$).*)"],
};
