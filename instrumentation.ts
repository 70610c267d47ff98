/** Next.js start-up hook: runs once per server process, before the first request is served. */
export async function register() {
  // Next sets NEXT_RUNTIME; the edge runtime has no database driver, so only the Node server bootstraps.
  // eslint-disable-next-line no-restricted-properties
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { bootstrap } = await import("./server/bootstrap");
  await bootstrap();
}
