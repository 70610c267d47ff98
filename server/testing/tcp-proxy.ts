/**
 * A TCP proxy for tests that need a dependency to go away for real (PostgreSQL above all): open
 * connections through `proxy.port`, then `cut()` drops every connection and refuses new ones, as
 * a database restart does; `blackhole()` accepts connections and forwards nothing, as a host that
 * vanished from the network does; `restore()` forwards again.
 */
import net from "node:net";
import type { AddressInfo } from "node:net";

export type TcpProxy = {
  port: number;
  /** Connections currently open through the proxy. */
  readonly openConnections: number;
  /** Connections accepted since the start. */
  readonly acceptedConnections: number;
  cut(): void;
  blackhole(): void;
  restore(): void;
  close(): Promise<void>;
};

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: "forward" | "cut" | "blackhole" = "forward";
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket | null }>();
  let accepted = 0;

  const server = net.createServer((client) => {
    accepted++;
    if (mode === "cut") return client.resetAndDestroy();
    const pair: { client: net.Socket; upstream: net.Socket | null } = { client, upstream: null };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on("error", drop);
    client.on("close", drop);
    // Swallowed bytes and no answer: what a dead host looks like from here.
    if (mode === "blackhole") return client.on("data", () => {});
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on("error", drop);
    upstream.on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  const dropAll = () => {
    for (const pair of pairs) {
      pair.client.resetAndDestroy();
      pair.upstream?.destroy();
    }
    pairs.clear();
  };

  return {
    port: (server.address() as AddressInfo).port,
    get openConnections() {
      return pairs.size;
    },
    get acceptedConnections() {
      return accepted;
    },
    cut: () => {
      mode = "cut";
      dropAll();
    },
    blackhole: () => {
      mode = "blackhole";
      dropAll();
    },
    restore: () => {
      mode = "forward";
    },
    close: async () => {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
