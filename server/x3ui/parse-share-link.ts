// The inverse of share-link.ts: a share link read back into the endpoint it describes, so the
// subscription formats that are not a link list (Clash, sing-box, Xray JSON) are built from the
// one link we store per client, whatever panel version made the inbound. It reads every field
// buildShareLink writes (and the v2 panel's base64 `ss://` userinfo); anything it does not know
// is left out rather than guessed.

export type ShareProtocol = "vless" | "vmess" | "trojan" | "shadowsocks";

export type ShareTransport =
  | { network: "tcp"; http?: { path: string; host: string } }
  | { network: "ws" | "httpupgrade"; path: string; host: string }
  | { network: "grpc"; serviceName: string; authority: string; multiMode: boolean }
  | { network: "xhttp"; path: string; host: string; mode: string; extra?: Record<string, unknown> }
  /** A transport the link names that the formats do not carry (kcp, quic, …). */
  | { network: "other"; name: string };

export type ShareSecurity =
  | { type: "none" }
  | { type: "tls"; serverName: string; alpn: string[]; fingerprint: string; echConfigList: string; verifyPeerCertByName: string; pinnedPeerCertSha256: string[] }
  | { type: "reality"; serverName: string; publicKey: string; shortId: string; spiderX: string; fingerprint: string; mldsa65Verify: string };

export type ShareEndpoint = {
  protocol: ShareProtocol;
  /** The `#fragment`: what the user's app shows. */
  remark: string;
  /** Bare host: an IPv6 address has no brackets. */
  host: string;
  port: number;
  /** vless/vmess: the user's UUID. */
  id: string;
  /** trojan: the password; shadowsocks: the key (`serverPsk:userPsk` for 2022 ciphers). */
  password: string;
  /** shadowsocks: the cipher; vmess: the client's `scy`; vless: `encryption`. */
  method: string;
  /** vless (and trojan over reality): xtls-rprx-vision, or "". */
  flow: string;
  transport: ShareTransport;
  security: ShareSecurity;
};

export class ShareLinkError extends Error {
  override name = "ShareLinkError";
}

const LINK = /^(vless|vmess|trojan|ss):\/\/([^#]*)(?:#(.*))?$/s;

export function parseShareLink(link: string): ShareEndpoint {
  const match = LINK.exec(link.trim());
  if (!match) throw new ShareLinkError(`not a share link: ${link.slice(0, 12)}…`);
  const [, scheme, rest = "", fragment = ""] = match;
  const remark = safeDecode(fragment);
  if (scheme === "vmess") return parseVmess(rest, remark);
  const at = rest.lastIndexOf("@");
  if (at < 0) throw new ShareLinkError(`${scheme} link without userinfo@host`);
  const userinfo = rest.slice(0, at);
  const [hostPort = "", query = ""] = splitOnce(rest.slice(at + 1), "?");
  const { host, port } = splitHostPort(hostPort);
  const params = new URLSearchParams(query);
  const base = { remark, host, port, id: "", password: "", method: "", flow: params.get("flow") ?? "" };
  switch (scheme) {
    case "vless":
      return { ...base, protocol: "vless", id: safeDecode(userinfo), method: params.get("encryption") ?? "none", transport: transportOf(params), security: securityOf(params) };
    case "trojan":
      return { ...base, protocol: "trojan", password: safeDecode(userinfo), transport: transportOf(params), security: securityOf(params) };
    default: {
      const { method, password } = shadowsocksUserinfo(userinfo);
      return { ...base, protocol: "shadowsocks", method, password, flow: "", transport: shadowsocksTransport(params), security: securityOf(params) };
    }
  }
}

function transportOf(params: URLSearchParams): ShareTransport {
  const get = (key: string) => params.get(key) ?? "";
  const network = get("type") || "tcp";
  switch (network) {
    case "tcp":
    case "raw":
      return get("headerType") === "http" ? { network: "tcp", http: { path: get("path") || "/", host: get("host") } } : { network: "tcp" };
    case "ws":
    case "httpupgrade":
      return { network, path: get("path") || "/", host: get("host") };
    case "grpc":
      return { network: "grpc", serviceName: get("serviceName"), authority: get("authority"), multiMode: get("mode") === "multi" };
    case "xhttp":
      return { network: "xhttp", path: get("path") || "/", host: get("host"), mode: get("mode") || "auto", ...extraOf(get("extra")) };
    default:
      return { network: "other", name: network };
  }
}

function extraOf(raw: string): { extra?: Record<string, unknown> } {
  if (!raw) return {};
  try {
    const extra: unknown = JSON.parse(raw);
    return typeof extra === "object" && extra !== null && !Array.isArray(extra) ? { extra: extra as Record<string, unknown> } : {};
  } catch {
    return {};
  }
}

function securityOf(params: URLSearchParams): ShareSecurity {
  const get = (key: string) => params.get(key) ?? "";
  const list = (key: string) => get(key).split(",").filter(Boolean);
  switch (get("security")) {
    case "tls":
      return { type: "tls", serverName: get("sni"), alpn: list("alpn"), fingerprint: get("fp"), echConfigList: get("ech"), verifyPeerCertByName: get("vcn"), pinnedPeerCertSha256: list("pcs") };
    case "reality":
      return { type: "reality", serverName: get("sni"), publicKey: get("pbk"), shortId: get("sid"), spiderX: get("spx"), fingerprint: get("fp") || "chrome", mldsa65Verify: get("pqv") };
    default:
      return { type: "none" };
  }
}

/** SIP002 clients read only `plugin`: the panel turns a tcp http header into obfs-local, read back here as that header. */
function shadowsocksTransport(params: URLSearchParams): ShareTransport {
  const plugin = params.get("plugin");
  if (!plugin) return transportOf(params);
  const [name, ...options] = plugin.split(";");
  const option = (key: string) => options.find((o) => o.startsWith(`${key}=`))?.slice(key.length + 1) ?? "";
  if (name === "obfs-local" && option("obfs") === "http") return { network: "tcp", http: { path: "/", host: option("obfs-host") } };
  return { network: "other", name: `plugin ${name}` };
}

function shadowsocksUserinfo(userinfo: string): { method: string; password: string } {
  // SIP022 (2022-blake3-*) userinfo is percent-encoded `method:serverPsk:userPsk`; older ciphers base64 `method:password`.
  const plain = userinfo.includes(":") ? safeDecode(userinfo) : Buffer.from(userinfo, "base64").toString("utf8");
  const colon = plain.indexOf(":");
  if (colon <= 0) throw new ShareLinkError("ss link without method:password");
  return { method: plain.slice(0, colon), password: plain.slice(colon + 1) };
}

function parseVmess(body: string, fragment: string): ShareEndpoint {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(Buffer.from(body, "base64").toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new ShareLinkError("vmess link is not base64 JSON");
  }
  const str = (key: string) => (raw[key] === undefined || raw[key] === null ? "" : String(raw[key]));
  const port = Number(raw.port);
  if (!str("add") || !Number.isInteger(port)) throw new ShareLinkError("vmess link without address and port");
  // vmess JSON keeps the same fields as a vless query under other names: read it as one.
  const params = new URLSearchParams({ type: str("net") || "tcp", security: str("tls"), sni: str("sni"), alpn: str("alpn"), fp: str("fp"), host: str("host"), path: str("path"), authority: str("authority") });
  if (params.get("type") === "tcp") params.set("headerType", str("type"));
  if (params.get("type") === "grpc") {
    params.set("serviceName", str("path"));
    if (str("type") === "multi") params.set("mode", "multi");
  }
  if (params.get("type") === "xhttp") params.set("mode", str("mode"));
  return {
    protocol: "vmess",
    remark: str("ps") || fragment,
    host: str("add"),
    port,
    id: str("id"),
    password: "",
    method: str("scy") || "auto",
    flow: "",
    transport: transportOf(params),
    security: securityOf(params),
  };
}

function splitOnce(value: string, separator: string): [string, string] {
  const i = value.indexOf(separator);
  return i < 0 ? [value, ""] : [value.slice(0, i), value.slice(i + 1)];
}

function splitHostPort(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) throw new ShareLinkError(`bad host:port "${value}"`);
  return { host: match[1] ?? match[2] ?? "", port };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
