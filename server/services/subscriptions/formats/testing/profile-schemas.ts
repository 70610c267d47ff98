/**
 * What Mihomo, sing-box and Xray accept, as strict zod schemas for the profile tests: the field
 * names and value sets of each core's configuration for the parts our profiles write (proxies and
 * outbounds for vless, vmess, trojan and shadowsocks over tcp, ws, httpupgrade, grpc and xhttp with
 * tls or REALITY, groups, balancers, routing), plus the references between them (every group member,
 * rule target and balancer selector names something that exists). An unknown key fails, so a typo
 * in a field name cannot pass. The real binaries check the same profiles in profile-binaries.test.ts.
 */
import { z } from "zod";

const port = z.number().int().min(1).max(65535);
const text = z.string().min(1);
const uuid = z.uuid();
// REALITY: an X25519 public key in base64url without padding; short ids are up to 16 hex digits.
const realityPublicKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const shortId = z.string().regex(/^[0-9a-f]{0,16}$/);
const fingerprint = z.enum(["chrome", "firefox", "safari", "ios", "android", "edge", "360", "qq", "random", "randomized"]);
const ssCipher = z.enum([
  "aes-128-gcm", "aes-192-gcm", "aes-256-gcm", "chacha20-ietf-poly1305", "xchacha20-ietf-poly1305",
  "2022-blake3-aes-128-gcm", "2022-blake3-aes-256-gcm", "2022-blake3-chacha20-poly1305",
]);
const vmessCipher = z.enum(["auto", "aes-128-gcm", "chacha20-poly1305", "none", "zero"]);

// ---- Mihomo (Clash Meta) -------------------------------------------------------------------------

const clashCommon = {
  name: text,
  server: text,
  port,
  udp: z.boolean().optional(),
  network: z.enum(["tcp", "ws", "grpc", "http", "xhttp"]).optional(),
  tls: z.boolean().optional(),
  servername: text.optional(),
  alpn: z.array(text).optional(),
  "client-fingerprint": fingerprint.optional(),
  "reality-opts": z.strictObject({ "public-key": realityPublicKey, "short-id": shortId }).optional(),
  "ws-opts": z.strictObject({ path: z.string().startsWith("/"), headers: z.strictObject({ Host: text }).optional(), "v2ray-http-upgrade": z.boolean().optional() }).optional(),
  "grpc-opts": z.strictObject({ "grpc-service-name": z.string() }).optional(),
  "http-opts": z.strictObject({ method: z.enum(["GET", "POST"]), path: z.array(z.string().startsWith("/")), headers: z.record(z.string(), z.array(text)).optional() }).optional(),
  "xhttp-opts": z.strictObject({ path: z.string().startsWith("/"), host: text.optional(), mode: z.enum(["auto", "packet-up", "stream-up", "stream-one"]) }).optional(),
};

export const clashProxySchema = z.discriminatedUnion("type", [
  z.strictObject({ ...clashCommon, type: z.literal("vless"), uuid, flow: z.literal("xtls-rprx-vision").optional(), encryption: text.optional(), "packet-encoding": z.enum(["xudp", "packetaddr"]).optional() }),
  z.strictObject({ ...clashCommon, type: z.literal("vmess"), uuid, alterId: z.literal(0), cipher: vmessCipher }),
  z.strictObject({ ...clashCommon, type: z.literal("trojan"), password: text, sni: text.optional() }),
  z.strictObject({
    name: text, server: text, port, udp: z.boolean().optional(), type: z.literal("ss"), cipher: ssCipher, password: text,
    plugin: z.literal("obfs").optional(), "plugin-opts": z.strictObject({ mode: z.enum(["http", "tls"]), host: z.string() }).optional(),
  }),
]);

const clashGroup = z.discriminatedUnion("type", [
  z.strictObject({ name: text, type: z.literal("select"), proxies: z.array(text).min(1) }),
  z.strictObject({
    name: text, type: z.enum(["fallback", "url-test"]), proxies: z.array(text).min(2), url: z.url(), interval: z.number().int().positive(),
    timeout: z.number().int().positive().optional(), lazy: z.boolean().optional(), tolerance: z.number().int().optional(),
  }),
]);

export const clashProfileSchema = z
  .strictObject({
    "mixed-port": port,
    "allow-lan": z.boolean(),
    mode: z.enum(["rule", "global", "direct"]),
    "log-level": z.enum(["silent", "error", "warning", "info", "debug"]),
    proxies: z.array(clashProxySchema),
    "proxy-groups": z.array(clashGroup),
    rules: z.array(z.string().regex(/^[A-Z-]+(,[^,]+)*$/)).min(1),
  })
  .superRefine((profile, ctx) => {
    const proxies = profile.proxies.map((p) => p.name);
    const groups = profile["proxy-groups"].map((g) => g.name);
    const names = [...proxies, ...groups];
    if (new Set(names).size !== names.length) ctx.addIssue({ code: "custom", message: `duplicate proxy or group names: ${names.join(", ")}` });
    const known = new Set([...names, "DIRECT", "REJECT"]);
    for (const group of profile["proxy-groups"]) {
      for (const member of group.proxies) if (!known.has(member)) ctx.addIssue({ code: "custom", message: `group ${group.name} names unknown ${member}` });
    }
    for (const rule of profile.rules) {
      const target = rule.split(",").at(-1) ?? "";
      if (!known.has(target)) ctx.addIssue({ code: "custom", message: `rule ${rule} targets unknown ${target}` });
    }
  });

// ---- sing-box (1.11+) ----------------------------------------------------------------------------

const singBoxTls = z.strictObject({
  enabled: z.literal(true),
  server_name: text.optional(),
  alpn: z.array(text).optional(),
  utls: z.strictObject({ enabled: z.literal(true), fingerprint }).optional(),
  reality: z.strictObject({ enabled: z.literal(true), public_key: realityPublicKey, short_id: shortId }).optional(),
}).refine((tls) => !tls.reality || tls.utls, "REALITY needs uTLS");

const singBoxTransport = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("ws"), path: z.string().startsWith("/"), headers: z.strictObject({ Host: text }).optional() }),
  z.strictObject({ type: z.literal("httpupgrade"), path: z.string().startsWith("/"), host: text.optional() }),
  z.strictObject({ type: z.literal("grpc"), service_name: z.string() }),
]);

const singBoxServer = { tag: text, server: text, server_port: port };

const singBoxOutbound = z.discriminatedUnion("type", [
  z.strictObject({ ...singBoxServer, type: z.literal("vless"), uuid, flow: z.literal("xtls-rprx-vision").optional(), packet_encoding: z.enum(["xudp", "packetaddr"]).optional(), tls: singBoxTls.optional(), transport: singBoxTransport.optional() }),
  z.strictObject({ ...singBoxServer, type: z.literal("vmess"), uuid, security: vmessCipher, alter_id: z.literal(0), packet_encoding: z.enum(["xudp", "packetaddr"]).optional(), tls: singBoxTls.optional(), transport: singBoxTransport.optional() }),
  z.strictObject({ ...singBoxServer, type: z.literal("trojan"), password: text, tls: singBoxTls.optional(), transport: singBoxTransport.optional() }),
  z.strictObject({ ...singBoxServer, type: z.literal("shadowsocks"), method: ssCipher, password: text, plugin: z.literal("obfs-local").optional(), plugin_opts: z.string().optional() }),
  z.strictObject({ type: z.literal("selector"), tag: text, outbounds: z.array(text).min(1), default: text.optional() }),
  z.strictObject({
    type: z.literal("urltest"), tag: text, outbounds: z.array(text).min(2), url: z.url(), interval: z.string().regex(/^\d+(ms|s|m|h)$/),
    tolerance: z.number().int().nonnegative().optional(), interrupt_exist_connections: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal("direct"), tag: text }),
]);

const singBoxRule = z.union([
  z.strictObject({ action: z.literal("sniff") }),
  z.strictObject({ protocol: z.literal("dns"), action: z.literal("hijack-dns") }),
  z.strictObject({ ip_is_private: z.literal(true), outbound: text }),
  z.strictObject({ inbound: z.array(text), action: z.literal("reject") }),
]);

export const singBoxProfileSchema = z
  .strictObject({
    log: z.strictObject({ level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "panic"]) }),
    inbounds: z.array(
      z.discriminatedUnion("type", [
        z.strictObject({ type: z.literal("tun"), tag: text, address: z.array(z.string().regex(/\/\d+$/)).min(1), auto_route: z.boolean(), strict_route: z.boolean() }),
        z.strictObject({ type: z.literal("mixed"), tag: text, listen: z.ipv4(), listen_port: port }),
      ]),
    ),
    outbounds: z.array(singBoxOutbound).min(1),
    route: z.strictObject({ rules: z.array(singBoxRule), final: text, auto_detect_interface: z.boolean() }),
  })
  .superRefine((profile, ctx) => {
    const tags = profile.outbounds.map((o) => o.tag);
    if (new Set(tags).size !== tags.length) ctx.addIssue({ code: "custom", message: `duplicate outbound tags: ${tags.join(", ")}` });
    const known = new Set(tags);
    for (const outbound of profile.outbounds) {
      if (outbound.type !== "selector" && outbound.type !== "urltest") continue;
      for (const member of outbound.outbounds) if (!known.has(member)) ctx.addIssue({ code: "custom", message: `${outbound.tag} names unknown ${member}` });
      if (outbound.type === "selector" && outbound.default && !outbound.outbounds.includes(outbound.default)) ctx.addIssue({ code: "custom", message: "selector default is not a member" });
    }
    if (!known.has(profile.route.final)) ctx.addIssue({ code: "custom", message: `route.final names unknown ${profile.route.final}` });
    const inbounds = new Set(profile.inbounds.map((i) => i.tag));
    for (const rule of profile.route.rules) {
      if ("outbound" in rule && !known.has(rule.outbound)) ctx.addIssue({ code: "custom", message: `rule names unknown ${rule.outbound}` });
      if ("inbound" in rule) for (const tag of rule.inbound) if (!inbounds.has(tag)) ctx.addIssue({ code: "custom", message: `rule names unknown inbound ${tag}` });
    }
  });

// ---- Xray ----------------------------------------------------------------------------------------

const xrayStream = z.strictObject({
  network: z.enum(["tcp", "raw", "ws", "httpupgrade", "grpc", "xhttp"]),
  security: z.enum(["none", "tls", "reality"]),
  tcpSettings: z.strictObject({
    header: z.strictObject({ type: z.literal("http"), request: z.strictObject({ path: z.array(z.string().startsWith("/")), headers: z.record(z.string(), z.array(text)).optional() }) }),
  }).optional(),
  wsSettings: z.strictObject({ path: z.string().startsWith("/"), host: text.optional() }).optional(),
  httpupgradeSettings: z.strictObject({ path: z.string().startsWith("/"), host: text.optional() }).optional(),
  grpcSettings: z.strictObject({ serviceName: z.string(), authority: text.optional(), multiMode: z.boolean() }).optional(),
  xhttpSettings: z.strictObject({ path: z.string().startsWith("/"), host: text.optional(), mode: z.enum(["auto", "packet-up", "stream-up", "stream-one"]), extra: z.record(z.string(), z.unknown()).optional() }).optional(),
  tlsSettings: z.strictObject({
    serverName: text.optional(), alpn: z.array(text).optional(), fingerprint: fingerprint.optional(),
    echConfigList: text.optional(), verifyPeerCertByName: text.optional(), pinnedPeerCertSha256: text.optional(),
  }).optional(),
  realitySettings: z.strictObject({ serverName: text.optional(), fingerprint, publicKey: realityPublicKey, shortId, spiderX: z.string().startsWith("/"), mldsa65Verify: text.optional() }).optional(),
}).superRefine((stream, ctx) => {
  const expected = { ws: "wsSettings", httpupgrade: "httpupgradeSettings", grpc: "grpcSettings", xhttp: "xhttpSettings" }[stream.network as string];
  if (expected && !(expected in stream)) ctx.addIssue({ code: "custom", message: `${stream.network} without ${expected}` });
  if (stream.security === "tls" && !stream.tlsSettings) ctx.addIssue({ code: "custom", message: "tls without tlsSettings" });
  if (stream.security === "reality" && !stream.realitySettings) ctx.addIssue({ code: "custom", message: "reality without realitySettings" });
});

const xrayAddress = { address: text, port };
const xrayOutbound = z.discriminatedUnion("protocol", [
  z.strictObject({ tag: text, protocol: z.literal("vless"), settings: z.strictObject({ vnext: z.tuple([z.strictObject({ ...xrayAddress, users: z.tuple([z.strictObject({ id: uuid, encryption: text, flow: z.literal("xtls-rprx-vision").optional() })]) })]) }), streamSettings: xrayStream }),
  z.strictObject({ tag: text, protocol: z.literal("vmess"), settings: z.strictObject({ vnext: z.tuple([z.strictObject({ ...xrayAddress, users: z.tuple([z.strictObject({ id: uuid, security: vmessCipher, alterId: z.literal(0) })]) })]) }), streamSettings: xrayStream }),
  z.strictObject({ tag: text, protocol: z.literal("trojan"), settings: z.strictObject({ servers: z.tuple([z.strictObject({ ...xrayAddress, password: text })]) }), streamSettings: xrayStream }),
  z.strictObject({ tag: text, protocol: z.literal("shadowsocks"), settings: z.strictObject({ servers: z.tuple([z.strictObject({ ...xrayAddress, method: ssCipher, password: text })]) }), streamSettings: xrayStream }),
  z.strictObject({ tag: text, protocol: z.literal("freedom") }),
  z.strictObject({ tag: text, protocol: z.literal("blackhole") }),
]);

export const xrayProfileSchema = z
  .strictObject({
    remarks: text,
    log: z.strictObject({ loglevel: z.enum(["debug", "info", "warning", "error", "none"]) }),
    inbounds: z.array(
      z.discriminatedUnion("protocol", [
        z.strictObject({ tag: text, listen: z.ipv4(), port, protocol: z.literal("socks"), settings: z.strictObject({ auth: z.literal("noauth"), udp: z.boolean() }), sniffing: z.strictObject({ enabled: z.boolean(), destOverride: z.array(z.enum(["http", "tls", "quic", "fakedns"])) }) }),
        z.strictObject({ tag: text, listen: z.ipv4(), port, protocol: z.literal("http"), settings: z.strictObject({}) }),
      ]),
    ),
    outbounds: z.array(xrayOutbound).min(1),
    observatory: z.strictObject({ subjectSelector: z.array(text).min(1), probeURL: z.url(), probeInterval: z.string().regex(/^\d+(ms|s|m|h)$/), enableConcurrency: z.boolean() }).optional(),
    routing: z.strictObject({
      domainStrategy: z.enum(["AsIs", "IPIfNonMatch", "IPOnDemand"]),
      balancers: z.array(z.strictObject({ tag: text, selector: z.array(text).min(1), fallbackTag: text.optional(), strategy: z.strictObject({ type: z.enum(["random", "roundRobin", "leastPing", "leastLoad"]) }) })).optional(),
      rules: z.array(z.strictObject({ type: z.literal("field"), network: z.literal("tcp,udp"), balancerTag: text.optional(), outboundTag: text.optional() })),
    }),
  })
  .superRefine((profile, ctx) => {
    const tags = profile.outbounds.map((o) => o.tag);
    if (new Set(tags).size !== tags.length) ctx.addIssue({ code: "custom", message: `duplicate outbound tags: ${tags.join(", ")}` });
    const matches = (prefix: string) => tags.some((tag) => tag.startsWith(prefix));
    const balancers = new Set((profile.routing.balancers ?? []).map((b) => b.tag));
    for (const balancer of profile.routing.balancers ?? []) {
      for (const prefix of balancer.selector) if (!matches(prefix)) ctx.addIssue({ code: "custom", message: `balancer selects nothing with ${prefix}` });
      if (balancer.fallbackTag && !tags.includes(balancer.fallbackTag)) ctx.addIssue({ code: "custom", message: `fallbackTag ${balancer.fallbackTag} unknown` });
      // leastPing and leastLoad rank by the observatory: without one every member looks dead.
      if (["leastPing", "leastLoad"].includes(balancer.strategy.type) && !profile.observatory) ctx.addIssue({ code: "custom", message: "leastPing without an observatory" });
    }
    for (const prefix of profile.observatory?.subjectSelector ?? []) if (!matches(prefix)) ctx.addIssue({ code: "custom", message: `observatory watches nothing with ${prefix}` });
    for (const rule of profile.routing.rules) {
      if (rule.balancerTag && !balancers.has(rule.balancerTag)) ctx.addIssue({ code: "custom", message: `rule names unknown balancer ${rule.balancerTag}` });
      if (rule.outboundTag && !tags.includes(rule.outboundTag)) ctx.addIssue({ code: "custom", message: `rule names unknown outbound ${rule.outboundTag}` });
    }
  });
