import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Lets benchmarks and parallel local checks build into their own folder (NEXT_DIST_DIR=.next-bench).
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // PGlite ships WASM and data files; bundling it would copy them into the public static folder.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2"],
  poweredByHeader: false,
};

export default nextConfig;
