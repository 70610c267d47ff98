/**
 * The production HTTP server: Next's request handler behind a plain Node server that writes the
 * connection's peer address into every request under PEER_ADDRESS_HEADER (server/http/client-address.ts),
 * replacing whatever a client sent under that name. Route handlers cannot see the socket; this is
 * how per-address limits and the audit trail know who called without trusting X-Forwarded-For.
 * `npm start`, `npm run demo`, the benchmarks and the e2e suite serve through it.
 *
 * Usage: tsx scripts/lib/next-server.ts <port> [hostname]
 */
import { createServer } from "node:http";
import { PEER_ADDRESS_HEADER } from "@/server/http/client-address";

const port = Number(process.argv[2] ?? 3000);
const hostname = process.argv[3];
// As `next start` does: the production build, and the env checks that go with it.
(process.env as Record<string, string>).NODE_ENV = "production";
const { default: next } = await import("next");
const app = next({ dev: false, dir: process.cwd(), port, hostname });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((request, response) => {
  request.headers[PEER_ADDRESS_HEADER] = request.socket.remoteAddress ?? "";
  void handle(request, response);
});
server.listen(port, hostname, () => console.log(`▲ Ready on http://${hostname ?? "localhost"}:${port}`));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5_000).unref();
  });
}
