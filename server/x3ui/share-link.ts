// Share links built the way the panel's subscription service builds them
// (internal/sub/service.go at v3.6.0: genVlessLink, genVmessLink,
// genTrojanLink, genShadowsocksLink and their helpers), so a key we hand out
// is byte-for-byte what the panel would show, with two deliberate choices:
// - REALITY `sni`/`sid` take the first serverName/shortId (the panel picks one
//   at random; every entry is valid);
// - the host is the node's public host override, and the remark is ours
//   (the panel derives both from its own settings).
// Go encodes query values with url.QueryEscape and sorts keys; vmess JSON is
// json.MarshalIndent (sorted keys, two spaces, HTML-safe escapes).

import { createHash } from "node:crypto";

import type { Inbound, InboundClient } from "./types";

type RawObject = Record<string, unknown>;

export interface ShareLinkInput {
  inbound: Pick<Inbound, "protocol" | "port" | "settings" | "streamSettings">;
  client: Pick<InboundClient, "email" | "id" | "password" | "flow" | "security" | "subId">;
  /** Public host (name, IPv4 or IPv6) clients connect to. */
  host: string;
  /** Public port when it differs from the inbound's (NAT, port forwarding). */
  port?: number;
  /** The `#fragment` the user's app shows. */
  remark: string;
}

export function buildShareLink(input: ShareLinkInput): string {
  switch (input.inbound.protocol) {
    case "vless":
      return vlessLink(input);
    case "vmess":
      return vmessLink(input);
    case "trojan":
      return trojanLink(input);
    case "shadowsocks":
      return shadowsocksLink(input);
    default:
      throw new Error(`no share link for protocol ${input.inbound.protocol}`);
  }
}

function vlessLink({ inbound, client, host, port, remark }: ShareLinkInput): string {
  const stream = inbound.streamSettings;
  const network = str(stream.network);
  const params: Record<string, string> = { type: network };
  if (typeof inbound.settings.encryption === "string") params.encryption = inbound.settings.encryption;
  applyNetworkParams(stream, network, params);
  const security = str(stream.security);
  if (security === "tls") applyTlsParams(stream, params);
  else if (security === "reality") applyRealityParams(stream, params, client.subId || client.email);
  else params.security = "none";
  if (client.flow && vlessFlowAllowed(network, security, inbound.settings)) params.flow = client.flow;
  return withQueryAndFragment(`vless://${client.id}@${joinHostPort(host, port ?? inbound.port)}`, params, remark);
}

function trojanLink({ inbound, client, host, port, remark }: ShareLinkInput): string {
  const stream = inbound.streamSettings;
  const network = str(stream.network);
  const params: Record<string, string> = { type: network };
  applyNetworkParams(stream, network, params);
  const security = str(stream.security);
  if (security === "tls") applyTlsParams(stream, params);
  else if (security === "reality") {
    applyRealityParams(stream, params, client.subId || client.email);
    if (network === "tcp" && client.flow) params.flow = client.flow;
  } else params.security = "none";
  const userinfo = encodeUserinfo(client.password);
  return withQueryAndFragment(`trojan://${userinfo}@${joinHostPort(host, port ?? inbound.port)}`, params, remark);
}

function shadowsocksLink({ inbound, client, host, port, remark }: ShareLinkInput): string {
  const stream = inbound.streamSettings;
  const network = str(stream.network);
  const method = str(inbound.settings.method);
  const params: Record<string, string> = { type: network };
  applyNetworkParams(stream, network, params);
  if (str(stream.security) === "tls") applyTlsParams(stream, params);
  // SIP002 clients only read `plugin`: a tcp http header becomes obfs-local.
  if (network === "tcp" && params.headerType === "http") {
    const obfsHost = params.host ?? "";
    for (const key of ["type", "headerType", "host", "path"]) delete params[key];
    params.plugin = `obfs-local;obfs=http;obfs-host=${obfsHost}`;
  }
  // SIP022 (2022-blake3-*) userinfo is percent-encoded, never base64.
  const userinfo = method.startsWith("2022")
    ? [method, str(inbound.settings.password), client.password].map(goQueryEscape).join(":")
    : Buffer.from(`${method}:${client.password}`).toString("base64url");
  return withQueryAndFragment(`ss://${userinfo}@${joinHostPort(host, port ?? inbound.port)}`, params, remark);
}

function vmessLink({ inbound, client, host, port, remark }: ShareLinkInput): string {
  const stream = inbound.streamSettings;
  const network = str(stream.network);
  const obj: RawObject = { v: "2", add: host.replace(/^\[|\]$/g, ""), port: port ?? inbound.port, type: "none", net: network };
  applyVmessNetworkParams(stream, network, obj);
  const security = str(stream.security);
  obj.tls = security;
  if (security === "tls") applyTlsParams(stream, obj, true);
  obj.id = client.id;
  // xray-core v26 rejects "none"/"zero" on the wire; the panel rewrites them.
  obj.scy = ["", "none", "zero"].includes(client.security) ? "auto" : client.security;
  obj.ps = remark;
  return `vmess://${Buffer.from(goJson(obj, true)).toString("base64")}`;
}

function applyNetworkParams(stream: RawObject, network: string, params: Record<string, string>): void {
  switch (network) {
    case "tcp": {
      const header = obj(obj(stream.tcpSettings).header);
      if (str(header.type) !== "http") return;
      const request = obj(header.request);
      const paths = Array.isArray(request.path) ? request.path : [];
      if (paths.length > 0) params.path = str(paths[0]);
      params.host = searchHost(obj(obj(header.response).headers)) || searchHost(obj(request.headers));
      params.headerType = "http";
      return;
    }
    case "ws":
      return applyPathAndHost(obj(stream.wsSettings), params);
    case "httpupgrade":
      return applyPathAndHost(obj(stream.httpupgradeSettings), params);
    case "grpc": {
      const grpc = obj(stream.grpcSettings);
      params.serviceName = str(grpc.serviceName);
      params.authority = str(grpc.authority);
      if (grpc.multiMode === true) params.mode = "multi";
      return;
    }
    case "xhttp": {
      const xhttp = obj(stream.xhttpSettings);
      applyPathAndHost(xhttp, params);
      if (typeof xhttp.mode === "string") params.mode = xhttp.mode;
      if (str(xhttp.xPaddingBytes)) params.x_padding_bytes = str(xhttp.xPaddingBytes);
      const extra = xhttpExtra(xhttp);
      if (extra) params.extra = goJson(extra, false);
      return;
    }
  }
}

function applyVmessNetworkParams(stream: RawObject, network: string, target: RawObject): void {
  if (network === "tcp") {
    const header = obj(obj(stream.tcpSettings).header);
    target.type = str(header.type);
    if (target.type === "http") {
      const params: Record<string, string> = {};
      applyNetworkParams(stream, network, params);
      if (params.path !== undefined) target.path = params.path;
      target.host = params.host;
    }
  } else if (network === "ws" || network === "httpupgrade") {
    applyPathAndHost(obj(stream[`${network}Settings`]), target);
  } else if (network === "grpc") {
    const grpc = obj(stream.grpcSettings);
    target.path = str(grpc.serviceName);
    target.authority = str(grpc.authority);
    if (grpc.multiMode === true) target.type = "multi";
  } else if (network === "xhttp") {
    const xhttp = obj(stream.xhttpSettings);
    applyPathAndHost(xhttp, target);
    if (typeof xhttp.mode === "string") target.mode = xhttp.mode;
    if (str(xhttp.xPaddingBytes)) target.x_padding_bytes = str(xhttp.xPaddingBytes);
    Object.assign(target, xhttpExtra(xhttp));
  }
}

function applyPathAndHost(settings: RawObject, target: Record<string, unknown>): void {
  target.path = str(settings.path);
  target.host = str(settings.host) || searchHost(obj(settings.headers));
}

function applyTlsParams(stream: RawObject, target: Record<string, unknown>, isVmess = false): void {
  if (!isVmess) target.security = "tls";
  const tls = obj(stream.tlsSettings);
  const alpn = (Array.isArray(tls.alpn) ? tls.alpn : []).filter((a): a is string => typeof a === "string");
  if (alpn.length > 0) target.alpn = alpn.join(",");
  const sni = searchKey(tls, "serverName");
  if (sni.found) target.sni = str(sni.value);
  const clientSettings = searchKey(tls, "settings").value;
  const fp = searchKey(clientSettings, "fingerprint");
  if (fp.found) target.fp = str(fp.value);
  const ech = str(searchKey(clientSettings, "echConfigList").value);
  if (ech) target.ech = ech;
  const vcn = str(searchKey(clientSettings, "verifyPeerCertByName").value).trim();
  if (vcn) target.vcn = vcn;
  const pins = searchKey(clientSettings, "pinnedPeerCertSha256").value;
  const pcs = (Array.isArray(pins) ? pins : []).filter((p): p is string => typeof p === "string" && p !== "");
  if (pcs.length > 0) target.pcs = pcs.join(",");
}

function applyRealityParams(stream: RawObject, params: Record<string, string>, clientKey: string): void {
  params.security = "reality";
  const reality = obj(stream.realitySettings);
  const settings = searchKey(reality, "settings").value;
  const serverNames = searchKey(reality, "serverNames").value;
  if (Array.isArray(serverNames) && serverNames.length > 0) params.sni = str(serverNames[0]);
  const pbk = searchKey(settings, "publicKey");
  if (pbk.found) params.pbk = str(pbk.value);
  const shortIds = searchKey(reality, "shortIds").value;
  if (Array.isArray(shortIds) && shortIds.length > 0) params.sid = str(shortIds[0]);
  const fp = str(searchKey(settings, "fingerprint").value);
  if (fp) params.fp = fp;
  const pqv = str(searchKey(settings, "mldsa65Verify").value);
  if (pqv) params.pqv = pqv;
  const seed = str(searchKey(settings, "spiderX").value);
  // Per-client but stable, so a re-issued link is identical (deriveSpiderX).
  params.spx = `/${createHash("sha256").update(`${seed}|${clientKey}`).digest("hex").slice(0, 15)}`;
}

function vlessFlowAllowed(network: string, security: string, settings: RawObject): boolean {
  if (network === "tcp") return security === "tls" || security === "reality";
  if (network === "xhttp") {
    return ["encryption", "decryption"].some((k) => typeof settings[k] === "string" && settings[k] !== "" && settings[k] !== "none");
  }
  return false;
}

const XHTTP_STRING_FIELDS = [
  "uplinkHTTPMethod", "sessionIDPlacement", "sessionIDKey", "sessionIDTable", "sessionIDLength",
  "seqPlacement", "seqKey", "uplinkDataPlacement", "uplinkDataKey", "scMaxEachPostBytes", "scMinPostsIntervalMs",
];
// xray-core's own defaults add nothing (and scMinPostsIntervalMs=30 is a DPI tell).
const XHTTP_CORE_DEFAULTS: Record<string, string> = { scMaxEachPostBytes: "1000000", scMinPostsIntervalMs: "30" };

/** buildXhttpExtra: the bidirectional xhttp fields a client must match. */
function xhttpExtra(xhttp: RawObject): RawObject | null {
  const extra: RawObject = {};
  if (str(xhttp.mode)) extra.mode = xhttp.mode;
  if (str(xhttp.xPaddingBytes)) extra.xPaddingBytes = xhttp.xPaddingBytes;
  if (xhttp.xPaddingObfsMode === true) {
    extra.xPaddingObfsMode = true;
    for (const f of ["xPaddingKey", "xPaddingHeader", "xPaddingPlacement", "xPaddingMethod"]) if (str(xhttp[f])) extra[f] = xhttp[f];
  }
  for (const f of XHTTP_STRING_FIELDS) {
    const v = str(xhttp[f]);
    if (v && v !== XHTTP_CORE_DEFAULTS[f]) extra[f] = v;
  }
  for (const [legacy, renamed] of [["sessionPlacement", "sessionIDPlacement"], ["sessionKey", "sessionIDKey"]] as const) {
    if (extra[renamed] === undefined && str(xhttp[legacy])) extra[renamed] = xhttp[legacy];
  }
  if (str(extra.sessionIDPlacement)) extra.sessionPlacement = extra.sessionIDPlacement;
  if (str(extra.sessionIDKey)) extra.sessionKey = extra.sessionIDKey;
  const chunk = xhttp.uplinkChunkSize;
  if ((typeof chunk === "string" && chunk !== "") || (typeof chunk === "number" && chunk !== 0)) extra.uplinkChunkSize = chunk;
  if (xhttp.noGRPCHeader === true) extra.noGRPCHeader = true;
  for (const f of ["xmux", "downloadSettings"]) {
    const v = xhttp[f];
    if ((Array.isArray(v) && v.length > 0) || (isObject(v) && Object.keys(v).length > 0)) extra[f] = v;
  }
  const headers = Object.fromEntries(Object.entries(obj(xhttp.headers)).filter(([k]) => k.toLowerCase() !== "host"));
  if (Object.keys(headers).length > 0) extra.headers = headers;
  return Object.keys(extra).length > 0 ? extra : null;
}

function withQueryAndFragment(link: string, params: Record<string, string>, remark: string): string {
  const query = Object.keys(params)
    .sort()
    .map((k) => `${goQueryEscape(k)}=${goQueryEscape(params[k] ?? "")}`)
    .join("&");
  const fragment = remark ? `#${goQueryEscape(remark).replaceAll("+", "%20")}` : "";
  return `${link}${query ? `?${query}` : ""}${fragment}`;
}

/** Go's url.QueryEscape: everything but [A-Za-z0-9-_.~] is escaped, space becomes "+". */
export function goQueryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll("%20", "+");
}

function encodeUserinfo(value: string): string {
  return goQueryEscape(value).replaceAll("+", "%20");
}

function joinHostPort(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare.includes(":") ? `[${bare}]:${port}` : `${bare}:${port}`;
}

/** Go's json.Marshal(Indent): sorted keys and <, >, &, U+2028/9 escaped. */
function goJson(value: unknown, indent: boolean): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : isObject(v)
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])]))
        : v;
  return JSON.stringify(sorted(value), null, indent ? 2 : undefined).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The panel's searchKey, but checking an object's own keys before nested ones. */
function searchKey(data: unknown, key: string): { found: boolean; value: unknown } {
  if (Array.isArray(data)) {
    for (const item of data) {
      const hit = searchKey(item, key);
      if (hit.found) return hit;
    }
  } else if (isObject(data)) {
    if (key in data) return { found: true, value: data[key] };
    for (const v of Object.values(data)) {
      const hit = searchKey(v, key);
      if (hit.found) return hit;
    }
  }
  return { found: false, value: undefined };
}

function searchHost(headers: RawObject): string {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== "host") continue;
    return Array.isArray(v) ? str(v[0]) : str(v);
  }
  return "";
}

function isObject(v: unknown): v is RawObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function obj(v: unknown): RawObject {
  return isObject(v) ? v : {};
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}
