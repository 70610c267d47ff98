// parseShareLink reads back every link buildShareLink writes (share-link.test.ts proves those are the
// panel's own links byte for byte), so the structured profiles carry exactly what the panel issued.
import { describe, expect, it } from "vitest";
import { parseShareLink, ShareLinkError, type ShareEndpoint, type ShareSecurity } from "./parse-share-link";
import { buildShareLink } from "./share-link";
import { SHARE_CLIENT, SHARE_FIXTURES } from "./share-link.fixtures";

const UUID = SHARE_CLIENT.id;
const PASSWORD = SHARE_CLIENT.password;
const REALITY = { type: "reality", serverName: "www.example.com", publicKey: "Zk5y2lqkQ7p3b2c1m0n9v8x7z6y5w4v3u2t1s0r9q8p", shortId: "a1b2c3d4", spiderX: "/e343c87f2044656", fingerprint: "chrome", mldsa65Verify: "" } as const;
const tls = (serverName: string, alpn: string[]): ShareSecurity => ({ type: "tls", serverName, alpn, fingerprint: "firefox", echConfigList: "", verifyPeerCertByName: "", pinnedPeerCertSha256: [] });
const base = { host: "localhost", id: "", password: "", method: "", flow: "" };

const EXPECTED: Record<string, Omit<ShareEndpoint, "remark">> = {
  "vless tcp reality vision": { ...base, protocol: "vless", port: 443, id: UUID, method: "none", flow: "xtls-rprx-vision", transport: { network: "tcp" }, security: REALITY },
  "vless ws tls": { ...base, protocol: "vless", port: 8443, id: UUID, method: "none", transport: { network: "ws", path: "/ws path?x=1", host: "cdn.example.com" }, security: tls("ws.example.com", ["h2", "http/1.1"]) },
  "vless grpc none multiMode": { ...base, protocol: "vless", port: 2083, id: UUID, method: "none", transport: { network: "grpc", serviceName: "svc", authority: "a.example.com", multiMode: true }, security: { type: "none" } },
  "vless httpupgrade tls": { ...base, protocol: "vless", port: 2087, id: UUID, method: "none", transport: { network: "httpupgrade", path: "/up", host: "hdr.example.com" }, security: tls("hu.example.com", []) },
  "vless xhttp reality": {
    ...base, protocol: "vless", port: 2096, id: UUID, method: "none",
    transport: { network: "xhttp", path: "/xh", host: "x.example.com", mode: "auto", extra: { mode: "auto", xPaddingBytes: "100-1000" } }, security: REALITY,
  },
  "vmess tcp none": { ...base, protocol: "vmess", port: 10086, id: UUID, method: "auto", transport: { network: "tcp" }, security: { type: "none" } },
  "vmess ws tls": { ...base, protocol: "vmess", port: 10443, id: UUID, method: "auto", transport: { network: "ws", path: "/vm", host: "vm-cdn.example.com" }, security: tls("vm.example.com", ["http/1.1"]) },
  "trojan grpc tls": { ...base, protocol: "trojan", port: 9443, password: PASSWORD, transport: { network: "grpc", serviceName: "tjsvc", authority: "", multiMode: false }, security: tls("tj.example.com", ["h2"]) },
  "trojan tcp reality": { ...base, protocol: "trojan", port: 9444, password: PASSWORD, flow: "xtls-rprx-vision", transport: { network: "tcp" }, security: REALITY },
  "shadowsocks 2022": { ...base, protocol: "shadowsocks", port: 8388, method: "2022-blake3-aes-128-gcm", password: `c2VydmVyLXBzay0xNmJ5dA==:${PASSWORD}`, transport: { network: "tcp" }, security: { type: "none" } },
  "shadowsocks legacy": { ...base, protocol: "shadowsocks", port: 8389, method: "chacha20-ietf-poly1305", password: PASSWORD, transport: { network: "tcp" }, security: { type: "none" } },
};

const linkOf = (fixture: (typeof SHARE_FIXTURES)[number], host = "localhost") =>
  buildShareLink({
    inbound: fixture.inbound,
    client: { ...SHARE_CLIENT, security: fixture.inbound.protocol === "vmess" ? SHARE_CLIENT.security : "" },
    host,
    remark: `${fixture.inbound.remark}-${SHARE_CLIENT.email}`,
  });

describe("parseShareLink reads what the panel issues", () => {
  it.each(SHARE_FIXTURES)("$name", (fixture) => {
    expect(parseShareLink(linkOf(fixture))).toEqual({ ...EXPECTED[fixture.name], remark: `${fixture.inbound.remark}-${SHARE_CLIENT.email}` });
  });
});

describe("parseShareLink", () => {
  it("reads an IPv6 host without its brackets and a remark with spaces and symbols", () => {
    const link = buildShareLink({ inbound: SHARE_FIXTURES[0]!.inbound, client: SHARE_CLIENT, host: "2001:db8::1", port: 8443, remark: "Frankfurt · a+b & c" });
    expect(parseShareLink(link)).toMatchObject({ host: "2001:db8::1", port: 8443, remark: "Frankfurt · a+b & c" });
  });

  it("reads a v2 panel's padded base64 ss userinfo and an obfs-local plugin as a tcp http header", () => {
    const userinfo = Buffer.from("aes-256-gcm:p@ss:word").toString("base64");
    expect(parseShareLink(`ss://${userinfo}@1.2.3.4:8388?plugin=obfs-local%3Bobfs%3Dhttp%3Bobfs-host%3Dcdn.example.com#ss`)).toMatchObject({
      method: "aes-256-gcm",
      password: "p@ss:word",
      transport: { network: "tcp", http: { path: "/", host: "cdn.example.com" } },
    });
  });

  it("keeps a tcp http header and names a transport the formats do not carry", () => {
    expect(parseShareLink(`vless://${UUID}@h:1?type=tcp&headerType=http&path=%2Fa&host=b.example#r`).transport).toEqual({ network: "tcp", http: { path: "/a", host: "b.example" } });
    expect(parseShareLink(`vless://${UUID}@h:1?type=kcp#r`).transport).toEqual({ network: "other", name: "kcp" });
  });

  it.each([
    ["http://example.com/"],
    ["vless://no-host-part"],
    [`vless://${UUID}@h:0?type=tcp`],
    [`vless://${UUID}@h?type=tcp`],
    ["vmess://bm90IGpzb24="],
    ["ss://@h:1"],
  ])("refuses %s", (link) => {
    expect(() => parseShareLink(link)).toThrow(ShareLinkError);
  });
});
