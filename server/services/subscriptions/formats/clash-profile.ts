/**
 * Clash/Mihomo YAML (Clash Verge, ClashMeta for Android, FlClash, Stash): one proxy per endpoint
 * with mihomo's field names, a `PROXY` select group every rule ends in, and, when the user has a
 * standby, a `fallback` group in front that probes both and uses the first that answers, so the app
 * moves to the standby by itself. Written as YAML 1.1 so a password like `yes` or `0777` stays a string.
 */
import YAML from "yaml";
import { convertEndpoints, type ProfileContext, type ProfileEndpoint, type RenderedProfile } from "./profile-endpoints";

type ClashProxy = Record<string, unknown>;

export const CLASH_GROUP = "PROXY";
export const CLASH_FALLBACK_GROUP = "Failover";

function transportOf(endpoint: ProfileEndpoint): ClashProxy | string {
  const { transport, protocol } = endpoint;
  switch (transport.network) {
    case "tcp":
      // Shadowsocks has no `network`: its only transport option is a plugin.
      if (protocol === "shadowsocks") return transport.http ? { plugin: "obfs", "plugin-opts": { mode: "http", host: transport.http.host } } : {};
      if (!transport.http) return { network: "tcp" };
      if (protocol === "trojan") return "trojan over a tcp http header is not supported by mihomo";
      return { network: "http", "http-opts": { method: "GET", path: [transport.http.path], ...(transport.http.host ? { headers: { Host: [transport.http.host] } } : {}) } };
    case "ws":
    case "httpupgrade":
      if (protocol === "shadowsocks") return `shadowsocks over ${transport.network} is not supported by mihomo`;
      return {
        network: "ws",
        "ws-opts": { path: transport.path, ...(transport.host ? { headers: { Host: transport.host } } : {}), ...(transport.network === "httpupgrade" ? { "v2ray-http-upgrade": true } : {}) },
      };
    case "grpc":
      if (protocol === "shadowsocks") return "shadowsocks over grpc is not supported by mihomo";
      return { network: "grpc", "grpc-opts": { "grpc-service-name": transport.serviceName } };
    case "xhttp":
      if (protocol !== "vless") return `${protocol} over xhttp is not supported by mihomo`;
      return { network: "xhttp", "xhttp-opts": { path: transport.path, ...(transport.host ? { host: transport.host } : {}), mode: transport.mode } };
    case "other":
      return `transport ${transport.name} is not supported`;
  }
}

function securityOf(endpoint: ProfileEndpoint): ClashProxy | string {
  const { security, protocol } = endpoint;
  // Trojan names the TLS server `sni`; the others `servername`.
  const serverNameKey = protocol === "trojan" ? "sni" : "servername";
  switch (security.type) {
    case "none":
      return protocol === "trojan" ? "trojan without TLS is not supported by mihomo" : protocol === "shadowsocks" ? {} : { tls: false };
    case "tls":
      if (protocol === "shadowsocks") return "shadowsocks over TLS is not supported by mihomo";
      return {
        ...(protocol === "trojan" ? {} : { tls: true }),
        ...(security.serverName ? { [serverNameKey]: security.serverName } : {}),
        ...(security.alpn.length > 0 ? { alpn: security.alpn } : {}),
        ...(security.fingerprint ? { "client-fingerprint": security.fingerprint } : {}),
      };
    case "reality":
      if (protocol !== "vless") return `${protocol} over REALITY is not supported by mihomo`;
      return {
        tls: true,
        ...(security.serverName ? { servername: security.serverName } : {}),
        "client-fingerprint": security.fingerprint,
        "reality-opts": { "public-key": security.publicKey, "short-id": security.shortId },
      };
  }
}

function credentialsOf(endpoint: ProfileEndpoint): ClashProxy {
  switch (endpoint.protocol) {
    case "vless":
      return {
        type: "vless",
        uuid: endpoint.id,
        ...(endpoint.flow ? { flow: endpoint.flow } : {}),
        ...(endpoint.method && endpoint.method !== "none" ? { encryption: endpoint.method } : {}),
        "packet-encoding": "xudp",
      };
    case "vmess":
      return { type: "vmess", uuid: endpoint.id, alterId: 0, cipher: endpoint.method };
    case "trojan":
      return { type: "trojan", password: endpoint.password };
    case "shadowsocks":
      return { type: "ss", cipher: endpoint.method, password: endpoint.password };
  }
}

export function clashProxy(endpoint: ProfileEndpoint): ClashProxy | string {
  const transport = transportOf(endpoint);
  if (typeof transport === "string") return transport;
  const security = securityOf(endpoint);
  if (typeof security === "string") return security;
  return { name: endpoint.name, server: endpoint.host, port: endpoint.port, udp: true, ...credentialsOf(endpoint), ...transport, ...security };
}

export function clashProfile(endpoints: readonly ProfileEndpoint[], context: ProfileContext): RenderedProfile {
  const proxies = convertEndpoints("clash", endpoints, clashProxy);
  const names = proxies.map(({ endpoint }) => endpoint.name);
  const failover =
    names.length > 1
      ? [{ name: CLASH_FALLBACK_GROUP, type: "fallback", proxies: names, url: context.probe.url, interval: context.probe.intervalSeconds, timeout: 5000, lazy: false }]
      : [];
  const profile = {
    "mixed-port": 7890,
    "allow-lan": false,
    mode: "rule",
    "log-level": "warning",
    proxies: proxies.map(({ value }) => value),
    "proxy-groups":
      names.length > 0 ? [{ name: CLASH_GROUP, type: "select", proxies: [...failover.map((g) => g.name), ...names] }, ...failover] : [],
    // Without a key nothing goes out, rather than everything going out unprotected.
    rules: [names.length > 0 ? `MATCH,${CLASH_GROUP}` : "MATCH,REJECT"],
  };
  return { contentType: "text/yaml; charset=utf-8", body: YAML.stringify(profile, { version: "1.1", lineWidth: 0 }) };
}
