/**
 * Xray JSON: a whole client config (v2rayN/v2rayNG/Happ import it as a "custom config"; `xray run
 * -c` runs it): local SOCKS and HTTP inbounds, one outbound per endpoint with the stream settings
 * the node's inbound expects. The primary's outbound is tagged `proxy`; with a standby, a balancer
 * routes everything to `proxy` while the observatory sees it answer and falls back to `standby`
 * when it stops, so the client moves by itself and comes back when the primary does.
 */
import { convertEndpoints, type ProfileContext, type ProfileEndpoint, type RenderedProfile } from "./profile-endpoints";

type Json = Record<string, unknown>;

export const XRAY_PRIMARY_TAG = "proxy";
export const XRAY_STANDBY_TAG = "standby";
export const XRAY_BALANCER_TAG = "failover";
export const XRAY_SOCKS_PORT = 10808;

function streamSettingsOf(endpoint: ProfileEndpoint): Json | string {
  const { transport, security } = endpoint;
  const stream: Json = { network: transport.network === "other" ? transport.name : transport.network, security: security.type };
  switch (transport.network) {
    case "tcp":
      if (transport.http) {
        stream.tcpSettings = {
          header: { type: "http", request: { path: [transport.http.path], ...(transport.http.host ? { headers: { Host: [transport.http.host] } } : {}) } },
        };
      }
      break;
    case "ws":
      stream.wsSettings = { path: transport.path, ...(transport.host ? { host: transport.host } : {}) };
      break;
    case "httpupgrade":
      stream.httpupgradeSettings = { path: transport.path, ...(transport.host ? { host: transport.host } : {}) };
      break;
    case "grpc":
      stream.grpcSettings = { serviceName: transport.serviceName, ...(transport.authority ? { authority: transport.authority } : {}), multiMode: transport.multiMode };
      break;
    case "xhttp":
      stream.xhttpSettings = { path: transport.path, ...(transport.host ? { host: transport.host } : {}), mode: transport.mode, ...(transport.extra ? { extra: transport.extra } : {}) };
      break;
    case "other":
      return `transport ${transport.name} is not supported`;
  }
  if (security.type === "tls") {
    stream.tlsSettings = {
      ...(security.serverName ? { serverName: security.serverName } : {}),
      ...(security.alpn.length > 0 ? { alpn: security.alpn } : {}),
      ...(security.fingerprint ? { fingerprint: security.fingerprint } : {}),
      ...(security.echConfigList ? { echConfigList: security.echConfigList } : {}),
      ...(security.verifyPeerCertByName ? { verifyPeerCertByName: security.verifyPeerCertByName } : {}),
      ...(security.pinnedPeerCertSha256.length > 0 ? { pinnedPeerCertSha256: security.pinnedPeerCertSha256.join(",") } : {}),
    };
  } else if (security.type === "reality") {
    stream.realitySettings = {
      ...(security.serverName ? { serverName: security.serverName } : {}),
      fingerprint: security.fingerprint,
      publicKey: security.publicKey,
      shortId: security.shortId,
      spiderX: security.spiderX,
      ...(security.mldsa65Verify ? { mldsa65Verify: security.mldsa65Verify } : {}),
    };
  }
  return stream;
}

function settingsOf(endpoint: ProfileEndpoint): Json {
  const address = { address: endpoint.host, port: endpoint.port };
  switch (endpoint.protocol) {
    case "vless":
      return { vnext: [{ ...address, users: [{ id: endpoint.id, encryption: endpoint.method || "none", ...(endpoint.flow ? { flow: endpoint.flow } : {}) }] }] };
    case "vmess":
      return { vnext: [{ ...address, users: [{ id: endpoint.id, security: endpoint.method, alterId: 0 }] }] };
    case "trojan":
      return { servers: [{ ...address, password: endpoint.password }] };
    case "shadowsocks":
      return { servers: [{ ...address, method: endpoint.method, password: endpoint.password }] };
  }
}

export function xrayOutbound(endpoint: ProfileEndpoint, tag: string): Json | string {
  const streamSettings = streamSettingsOf(endpoint);
  if (typeof streamSettings === "string") return streamSettings;
  return { tag, protocol: endpoint.protocol, settings: settingsOf(endpoint), streamSettings };
}

const DIRECT = { tag: "direct", protocol: "freedom" };
const BLOCK = { tag: "block", protocol: "blackhole" };

/** `proxy` for the first endpoint, `standby`, `standby-2`, … after it: the balancer selects by tag prefix. */
const tagAt = (index: number) => (index === 0 ? XRAY_PRIMARY_TAG : index === 1 ? XRAY_STANDBY_TAG : `${XRAY_STANDBY_TAG}-${index}`);

export function xrayProfile(endpoints: readonly ProfileEndpoint[], context: ProfileContext): RenderedProfile {
  let index = 0;
  const outbounds = convertEndpoints("xray", endpoints, (endpoint) => {
    const outbound = xrayOutbound(endpoint, tagAt(index));
    if (typeof outbound !== "string") index++;
    return outbound;
  });
  const tags = outbounds.map(({ value }) => String(value.tag));
  const grouped = tags.length > 1;
  const profile = {
    remarks: context.title,
    log: { loglevel: "warning" },
    inbounds: [
      { tag: "socks", listen: "127.0.0.1", port: XRAY_SOCKS_PORT, protocol: "socks", settings: { auth: "noauth", udp: true }, sniffing: { enabled: true, destOverride: ["http", "tls"] } },
      { tag: "http", listen: "127.0.0.1", port: XRAY_SOCKS_PORT + 1, protocol: "http", settings: {} },
    ],
    // The first outbound is where unrouted traffic goes: the primary, or nowhere without a key.
    outbounds: tags.length > 0 ? [...outbounds.map(({ value }) => value), DIRECT, BLOCK] : [BLOCK, DIRECT],
    ...(grouped
      ? {
          observatory: {
            subjectSelector: tags,
            probeURL: context.probe.url,
            probeInterval: `${context.probe.intervalSeconds}s`,
            enableConcurrency: true,
          },
        }
      : {}),
    routing: {
      domainStrategy: "AsIs",
      ...(grouped
        ? {
            balancers: [{ tag: XRAY_BALANCER_TAG, selector: [XRAY_PRIMARY_TAG], fallbackTag: XRAY_STANDBY_TAG, strategy: { type: "leastPing" } }],
            rules: [{ type: "field", network: "tcp,udp", balancerTag: XRAY_BALANCER_TAG }],
          }
        : { rules: [] }),
    },
  };
  return { contentType: "application/json; charset=utf-8", body: `${JSON.stringify(profile, null, 2)}\n` };
}
