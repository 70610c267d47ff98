/**
 * sing-box JSON (SFA, SFI, SFM, and apps built on sing-box), for sing-box 1.11 and later: a tun
 * inbound for the app and a local mixed proxy, one outbound per endpoint, a `proxy` selector the
 * route ends in, and, when the user has a standby, a `urltest` group in front of it that probes
 * every member and moves to one that answers when the current one stops. Rule actions (sniff,
 * hijack-dns, reject) replace the special outbounds sing-box 1.11 deprecated.
 */
import { convertEndpoints, type ProfileContext, type ProfileEndpoint, type RenderedProfile } from "./profile-endpoints";

type Json = Record<string, unknown>;

export const SING_BOX_SELECTOR = "proxy";
export const SING_BOX_URLTEST = "auto";

function transportOf(endpoint: ProfileEndpoint): Json | undefined | string {
  const { transport } = endpoint;
  switch (transport.network) {
    case "tcp":
      return transport.http ? "a tcp http header is not supported by sing-box" : undefined;
    case "ws":
      return { type: "ws", path: transport.path, ...(transport.host ? { headers: { Host: transport.host } } : {}) };
    case "httpupgrade":
      return { type: "httpupgrade", path: transport.path, ...(transport.host ? { host: transport.host } : {}) };
    case "grpc":
      return { type: "grpc", service_name: transport.serviceName };
    case "xhttp":
      return "xhttp is not supported by sing-box";
    case "other":
      return `transport ${transport.name} is not supported`;
  }
}

function tlsOf(endpoint: ProfileEndpoint): Json | undefined {
  const { security } = endpoint;
  switch (security.type) {
    case "none":
      return undefined;
    case "tls":
      return {
        enabled: true,
        ...(security.serverName ? { server_name: security.serverName } : {}),
        ...(security.alpn.length > 0 ? { alpn: security.alpn } : {}),
        ...(security.fingerprint ? { utls: { enabled: true, fingerprint: security.fingerprint } } : {}),
      };
    case "reality":
      return {
        enabled: true,
        ...(security.serverName ? { server_name: security.serverName } : {}),
        // sing-box's REALITY client runs on uTLS only.
        utls: { enabled: true, fingerprint: security.fingerprint },
        reality: { enabled: true, public_key: security.publicKey, short_id: security.shortId },
      };
  }
}

export function singBoxOutbound(endpoint: ProfileEndpoint): Json | string {
  const server = { tag: endpoint.name, server: endpoint.host, server_port: endpoint.port };
  if (endpoint.protocol === "shadowsocks") {
    if (endpoint.security.type !== "none") return "shadowsocks over TLS is not supported by sing-box";
    const { transport } = endpoint;
    if (transport.network !== "tcp") return `shadowsocks over ${transport.network === "other" ? transport.name : transport.network} is not supported by sing-box`;
    const plugin = transport.http ? { plugin: "obfs-local", plugin_opts: `obfs=http;obfs-host=${transport.http.host}` } : {};
    return { type: "shadowsocks", ...server, method: endpoint.method, password: endpoint.password, ...plugin };
  }
  const transport = transportOf(endpoint);
  if (typeof transport === "string") return transport;
  const tls = tlsOf(endpoint);
  const wire = { ...(tls ? { tls } : {}), ...(transport ? { transport } : {}) };
  switch (endpoint.protocol) {
    case "vless":
      return { type: "vless", ...server, uuid: endpoint.id, ...(endpoint.flow ? { flow: endpoint.flow } : {}), packet_encoding: "xudp", ...wire };
    case "vmess":
      return { type: "vmess", ...server, uuid: endpoint.id, security: endpoint.method, alter_id: 0, packet_encoding: "xudp", ...wire };
    case "trojan":
      return { type: "trojan", ...server, password: endpoint.password, ...wire };
  }
}

export function singBoxProfile(endpoints: readonly ProfileEndpoint[], context: ProfileContext): RenderedProfile {
  const outbounds = convertEndpoints("sing-box", endpoints, singBoxOutbound);
  const tags = outbounds.map(({ endpoint }) => endpoint.name);
  const urltest =
    tags.length > 1
      ? [{ type: "urltest", tag: SING_BOX_URLTEST, outbounds: tags, url: context.probe.url, interval: `${context.probe.intervalSeconds}s`, tolerance: 150, interrupt_exist_connections: true }]
      : [];
  const selector = tags.length > 0 ? [{ type: "selector", tag: SING_BOX_SELECTOR, outbounds: [...urltest.map((g) => g.tag), ...tags], default: urltest[0]?.tag ?? tags[0] }] : [];
  const profile = {
    log: { level: "warn" },
    inbounds: [
      { type: "tun", tag: "tun-in", address: ["172.19.0.1/30", "fdfe:dcba:9876::1/126"], auto_route: true, strict_route: true },
      { type: "mixed", tag: "mixed-in", listen: "127.0.0.1", listen_port: 2080 },
    ],
    outbounds: [...selector, ...urltest, ...outbounds.map(({ value }) => value), { type: "direct", tag: "direct" }],
    route: {
      rules: [
        { action: "sniff" },
        { protocol: "dns", action: "hijack-dns" },
        { ip_is_private: true, outbound: "direct" },
        // Without a key nothing goes out, rather than everything going out unprotected.
        ...(tags.length > 0 ? [] : [{ inbound: ["tun-in", "mixed-in"], action: "reject" }]),
      ],
      final: tags.length > 0 ? SING_BOX_SELECTOR : "direct",
      auto_detect_interface: true,
    },
  };
  return { contentType: "application/json; charset=utf-8", body: `${JSON.stringify(profile, null, 2)}\n` };
}
