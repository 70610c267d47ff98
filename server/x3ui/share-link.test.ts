// Golden share links: every expected string below was produced by a real
// v3.6.0 panel (GET panel/api/clients/links/:email) for the inbounds in
// share-link.fixtures.ts; buildShareLink must reproduce them byte for byte.

import { describe, expect, it } from "vitest";

import { buildShareLink } from "./share-link";
import { SHARE_CLIENT, SHARE_FIXTURES } from "./share-link.fixtures";

const PANEL_LINKS: Record<string, string> = {
  "vless tcp reality vision":
    "vless://5f1c1f6e-8a53-4f7e-9d1e-1c2b3a4d5e6f@localhost:443?encryption=none&flow=xtls-rprx-vision&fp=chrome&pbk=Zk5y2lqkQ7p3b2c1m0n9v8x7z6y5w4v3u2t1s0r9q8p&security=reality&sid=a1b2c3d4&sni=www.example.com&spx=%2Fe343c87f2044656&type=tcp#VLESS%20Reality-golden-user",
  "vless ws tls":
    "vless://5f1c1f6e-8a53-4f7e-9d1e-1c2b3a4d5e6f@localhost:8443?alpn=h2%2Chttp%2F1.1&encryption=none&fp=firefox&host=cdn.example.com&path=%2Fws+path%3Fx%3D1&security=tls&sni=ws.example.com&type=ws#ws%20tls-golden-user",
  "vless grpc none multiMode":
    "vless://5f1c1f6e-8a53-4f7e-9d1e-1c2b3a4d5e6f@localhost:2083?authority=a.example.com&encryption=none&mode=multi&security=none&serviceName=svc&type=grpc#grpc-golden-user",
  "vless httpupgrade tls":
    "vless://5f1c1f6e-8a53-4f7e-9d1e-1c2b3a4d5e6f@localhost:2087?encryption=none&fp=firefox&host=hdr.example.com&path=%2Fup&security=tls&sni=hu.example.com&type=httpupgrade#hu-golden-user",
  "vless xhttp reality":
    "vless://5f1c1f6e-8a53-4f7e-9d1e-1c2b3a4d5e6f@localhost:2096?encryption=none&extra=%7B%22mode%22%3A%22auto%22%2C%22xPaddingBytes%22%3A%22100-1000%22%7D&fp=chrome&host=x.example.com&mode=auto&path=%2Fxh&pbk=Zk5y2lqkQ7p3b2c1m0n9v8x7z6y5w4v3u2t1s0r9q8p&security=reality&sid=a1b2c3d4&sni=www.example.com&spx=%2Fe343c87f2044656&type=xhttp&x_padding_bytes=100-1000#xhttp-golden-user",
  "vmess tcp none":
    "vmess://ewogICJhZGQiOiAibG9jYWxob3N0IiwKICAiaWQiOiAiNWYxYzFmNmUtOGE1My00ZjdlLTlkMWUtMWMyYjNhNGQ1ZTZmIiwKICAibmV0IjogInRjcCIsCiAgInBvcnQiOiAxMDA4NiwKICAicHMiOiAidm1lc3MgcGxhaW4tZ29sZGVuLXVzZXIiLAogICJzY3kiOiAiYXV0byIsCiAgInRscyI6ICJub25lIiwKICAidHlwZSI6ICJub25lIiwKICAidiI6ICIyIgp9",
  "vmess ws tls":
    "vmess://ewogICJhZGQiOiAibG9jYWxob3N0IiwKICAiYWxwbiI6ICJodHRwLzEuMSIsCiAgImZwIjogImZpcmVmb3giLAogICJob3N0IjogInZtLWNkbi5leGFtcGxlLmNvbSIsCiAgImlkIjogIjVmMWMxZjZlLThhNTMtNGY3ZS05ZDFlLTFjMmIzYTRkNWU2ZiIsCiAgIm5ldCI6ICJ3cyIsCiAgInBhdGgiOiAiL3ZtIiwKICAicG9ydCI6IDEwNDQzLAogICJwcyI6ICJ2bWVzcyBcdTAwM2N3c1x1MDAzZSBcdTAwMjYgdGxzLWdvbGRlbi11c2VyIiwKICAic2N5IjogImF1dG8iLAogICJzbmkiOiAidm0uZXhhbXBsZS5jb20iLAogICJ0bHMiOiAidGxzIiwKICAidHlwZSI6ICJub25lIiwKICAidiI6ICIyIgp9",
  "trojan grpc tls":
    "trojan://MTIzNDU2Nzg5MGFiY2RlZg%3D%3D@localhost:9443?alpn=h2&authority=&fp=firefox&security=tls&serviceName=tjsvc&sni=tj.example.com&type=grpc#trojan%20grpc-golden-user",
  "trojan tcp reality":
    "trojan://MTIzNDU2Nzg5MGFiY2RlZg%3D%3D@localhost:9444?flow=xtls-rprx-vision&fp=chrome&pbk=Zk5y2lqkQ7p3b2c1m0n9v8x7z6y5w4v3u2t1s0r9q8p&security=reality&sid=a1b2c3d4&sni=www.example.com&spx=%2Fe343c87f2044656&type=tcp#trojan%20reality-golden-user",
  "shadowsocks 2022":
    "ss://2022-blake3-aes-128-gcm:c2VydmVyLXBzay0xNmJ5dA%3D%3D:MTIzNDU2Nzg5MGFiY2RlZg%3D%3D@localhost:8388?type=tcp#ss2022-golden-user",
  "shadowsocks legacy":
    "ss://Y2hhY2hhMjAtaWV0Zi1wb2x5MTMwNTpNVEl6TkRVMk56ZzVNR0ZpWTJSbFpnPT0@localhost:8389?type=tcp#ss%20legacy-golden-user",
};

const client = (protocol: string) => ({
  ...SHARE_CLIENT,
  security: protocol === "vmess" ? SHARE_CLIENT.security : "",
});

describe("buildShareLink matches the panel", () => {
  it.each(SHARE_FIXTURES)("$name", ({ name, inbound }) => {
    const link = buildShareLink({
      inbound,
      client: client(inbound.protocol),
      host: "localhost",
      remark: `${inbound.remark}-${SHARE_CLIENT.email}`,
    });
    expect(link).toBe(PANEL_LINKS[name]);
  });
});

describe("buildShareLink", () => {
  const [vless] = SHARE_FIXTURES;

  it("brackets an IPv6 host and applies a public port override", () => {
    const link = buildShareLink({ inbound: vless!.inbound, client: client("vless"), host: "2001:db8::1", port: 8443, remark: "r" });
    expect(link).toMatch(/^vless:\/\/[^@]+@\[2001:db8::1\]:8443\?/);
  });

  it("derives spx from the subId, so each user gets a stable, distinct one", () => {
    const spx = (subId: string) =>
      new URL(buildShareLink({ inbound: vless!.inbound, client: { ...client("vless"), subId }, host: "h", remark: "r" })).searchParams.get("spx");
    expect(spx("a")).toBe(spx("a"));
    expect(spx("a")).not.toBe(spx("b"));
  });

  it("drops the flow where Vision cannot run (ws)", () => {
    const ws = SHARE_FIXTURES.find((f) => f.name === "vless ws tls")!;
    expect(buildShareLink({ inbound: ws.inbound, client: client("vless"), host: "h", remark: "r" })).not.toContain("flow=");
  });

  it("refuses protocols without a link format", () => {
    expect(() =>
      buildShareLink({ inbound: { ...vless!.inbound, protocol: "wireguard" }, client: client("vless"), host: "h", remark: "r" }),
    ).toThrow(/wireguard/);
  });
});
