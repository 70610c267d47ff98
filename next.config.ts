import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Lets benchmarks and parallel local checks build into their own folder (NEXT_DIST_DIR=.next-bench).
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // PGlite ships WASM and data files; bundling it would copy them into the public static folder.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2"],
  poweredByHeader: false,
  // Every answer: no MIME sniffing, no Referer to other sites (subscription URLs carry their token;
  // not "no-referrer": under it a browser sends `Origin: null` on a same-site form post, and Next
  // refuses the sign-in form posted before its scripts have run), no powerful
  // browser features, no framing; JSON and subscriptions get a deny-all policy (pages get theirs,
  // with a nonce, from proxy.ts); HSTS when the request came over https (Next sets
  // x-forwarded-proto from the socket, a TLS-terminating proxy sets it itself).
  async headers() {
    const everywhere = [
      { key: "X-Content-Type-Options", value: "nosniff" },
      { key: "Referrer-Policy", value: "same-origin" },
      { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()" },
      { key: "X-Frame-Options", value: "DENY" },
      { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
    ];
    const denyAll = [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }];
    return [
      { source: "/:path*", headers: everywhere },
      { source: "/api/:path*", headers: denyAll },
      { source: "/sub/:path*", headers: denyAll },
      {
        source: "/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: "https" }],
        headers: [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }],
      },
    ];
  },
  experimental: {
    // Server actions are the sign-in and sign-out forms: a few fields. Past this Next answers 413.
    serverActions: { bodySizeLimit: "16kb" },
    // proxy.ts sees page requests only; it must not buffer more than a server action may send.
    proxyClientMaxBodySize: "64kb",
  },
};

export default nextConfig;
