import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Lets benchmarks and parallel local checks build into their own folder (NEXT_DIST_DIR=.next-bench).
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // PGlite ships WASM and data files; bundling it would copy them into the public static folder.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2"],
  poweredByHeader: false,
  experimental: {
    // Server actions are the sign-in and sign-out forms: a few fields. Past this Next answers 413.
    serverActions: { bodySizeLimit: "16kb" },
    // proxy.ts sees page requests only; it must not buffer more than a server action may send.
    proxyClientMaxBodySize: "64kb",
  },
};

export default nextConfig;
