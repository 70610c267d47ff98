// Inbounds and a client for the share-link golden tests. The expected links in
// share-link.test.ts were produced by a real v3.6.0 panel from these exact
// inbounds (GET panel/api/clients/links/:email, host 127.0.0.1).

import type { ShareLinkInput } from "./share-link";

type Fixture = { name: string; inbound: ShareLinkInput["inbound"] & { remark: string } };

const reality = {
  show: false, xver: 0, target: "www.example.com:443", serverNames: ["www.example.com"],
  privateKey: "cKx0ZmG1b3gR1t2Z4H2wQ0VvJm9w3N6r9pY3tQ5s8Ww", shortIds: ["a1b2c3d4"],
  settings: { publicKey: "Zk5y2lqkQ7p3b2c1m0n9v8x7z6y5w4v3u2t1s0r9q8p", fingerprint: "chrome", serverName: "", spiderX: "/" },
};
const tls = (serverName: string, alpn: string[]) => ({
  serverName, alpn, certificates: [{ certificateFile: "/tmp/c.pem", keyFile: "/tmp/k.pem" }],
  settings: { fingerprint: "firefox" },
});

export const SHARE_CLIENT = {
  email: "golden-user",
  id: "5f1c1f6e-8a53-4f7e-9d1e-1c2b3a4d5e6f",
  password: "MTIzNDU2Nzg5MGFiY2RlZg==",
  flow: "xtls-rprx-vision",
  security: "auto",
  subId: "goldensub123",
};

export const SHARE_FIXTURES: Fixture[] = [
  {
    name: "vless tcp reality vision",
    inbound: { remark: "VLESS Reality", protocol: "vless", port: 443, settings: { clients: [], decryption: "none", encryption: "none" },
      streamSettings: { network: "tcp", security: "reality", tcpSettings: { header: { type: "none" } }, realitySettings: reality } },
  },
  {
    name: "vless ws tls",
    inbound: { remark: "ws tls", protocol: "vless", port: 8443, settings: { clients: [], decryption: "none", encryption: "none" },
      streamSettings: { network: "ws", security: "tls", tlsSettings: tls("ws.example.com", ["h2", "http/1.1"]),
        wsSettings: { path: "/ws path?x=1", host: "cdn.example.com", headers: {} } } },
  },
  {
    name: "vless grpc none multiMode",
    inbound: { remark: "grpc", protocol: "vless", port: 2083, settings: { clients: [], decryption: "none", encryption: "none" },
      streamSettings: { network: "grpc", security: "none", grpcSettings: { serviceName: "svc", authority: "a.example.com", multiMode: true } } },
  },
  {
    name: "vless httpupgrade tls",
    inbound: { remark: "hu", protocol: "vless", port: 2087, settings: { clients: [], decryption: "none", encryption: "none" },
      streamSettings: { network: "httpupgrade", security: "tls", tlsSettings: tls("hu.example.com", []),
        httpupgradeSettings: { path: "/up", host: "", headers: { Host: "hdr.example.com" } } } },
  },
  {
    name: "vless xhttp reality",
    inbound: { remark: "xhttp", protocol: "vless", port: 2096, settings: { clients: [], decryption: "none", encryption: "none" },
      streamSettings: { network: "xhttp", security: "reality", realitySettings: reality,
        xhttpSettings: { path: "/xh", host: "x.example.com", mode: "auto", xPaddingBytes: "100-1000", headers: {} } } },
  },
  {
    name: "vmess tcp none",
    inbound: { remark: "vmess plain", protocol: "vmess", port: 10086, settings: { clients: [] },
      streamSettings: { network: "tcp", security: "none", tcpSettings: { header: { type: "none" } } } },
  },
  {
    name: "vmess ws tls",
    inbound: { remark: "vmess <ws> & tls", protocol: "vmess", port: 10443, settings: { clients: [] },
      streamSettings: { network: "ws", security: "tls", tlsSettings: tls("vm.example.com", ["http/1.1"]),
        wsSettings: { path: "/vm", host: "vm-cdn.example.com", headers: {} } } },
  },
  {
    name: "trojan grpc tls",
    inbound: { remark: "trojan grpc", protocol: "trojan", port: 9443, settings: { clients: [], fallbacks: [] },
      streamSettings: { network: "grpc", security: "tls", tlsSettings: tls("tj.example.com", ["h2"]),
        grpcSettings: { serviceName: "tjsvc", authority: "", multiMode: false } } },
  },
  {
    name: "trojan tcp reality",
    inbound: { remark: "trojan reality", protocol: "trojan", port: 9444, settings: { clients: [], fallbacks: [] },
      streamSettings: { network: "tcp", security: "reality", tcpSettings: { header: { type: "none" } }, realitySettings: reality } },
  },
  {
    name: "shadowsocks 2022",
    inbound: { remark: "ss2022", protocol: "shadowsocks", port: 8388,
      settings: { method: "2022-blake3-aes-128-gcm", password: "c2VydmVyLXBzay0xNmJ5dA==", network: "tcp,udp", clients: [] },
      streamSettings: { network: "tcp", security: "none", tcpSettings: { header: { type: "none" } } } },
  },
  {
    name: "shadowsocks legacy",
    inbound: { remark: "ss legacy", protocol: "shadowsocks", port: 8389,
      settings: { method: "chacha20-ietf-poly1305", password: "", network: "tcp,udp", clients: [] },
      streamSettings: { network: "tcp", security: "none", tcpSettings: { header: { type: "none" } } } },
  },
];
