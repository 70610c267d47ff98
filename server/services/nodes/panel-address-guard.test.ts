import { describe, expect, it } from "vitest";
import { renderErrorText } from "@/server/http/messages";
import { findPanelAddressProblem, isPublicAddress, type PanelAddressPolicy } from "./panel-address-guard";

describe("isPublicAddress", () => {
  it.each([
    ["8.8.8.8", true],
    ["1.1.1.1", true],
    ["2606:4700:4700::1111", true],
    ["127.0.0.1", false],
    ["10.1.2.3", false],
    ["172.16.0.1", false],
    ["172.31.255.255", false],
    ["172.32.0.1", true],
    ["192.168.1.1", false],
    ["169.254.169.254", false],
    ["100.64.0.1", false],
    ["100.127.255.255", false],
    ["0.0.0.0", false],
    ["224.0.0.1", false],
    ["255.255.255.255", false],
    ["::", false],
    ["::1", false],
    ["fe80::1", false],
    ["fd00::1", false],
    ["ff02::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:10.0.0.1", false],
    ["::ffff:7f00:1", false],
    ["::ffff:8.8.8.8", true],
    ["[::1]", false],
    // Observation 9: IPv6 forms that carry an IPv4 address, and spellings the old check missed.
    ["64:ff9b::7f00:1", false], // NAT64 of 127.0.0.1
    ["64:ff9b::10.0.0.1", false],
    ["64:ff9b::a9fe:a9fe", false], // NAT64 of 169.254.169.254
    ["64:ff9b::808:808", true], // NAT64 of 8.8.8.8
    ["64:ff9b:1::1", false], // local-use NAT64
    ["2002:7f00:1::", false], // 6to4 of 127.0.0.1
    ["2002:c0a8:101::1", false], // 6to4 of 192.168.1.1
    ["2002:808:808::1", true],
    ["::127.0.0.1", false], // IPv4-compatible
    ["::a00:1", false], // IPv4-compatible 10.0.0.1, hex
    ["::808:808", true],
    ["0:0:0:0:0:ffff:7f00:1", false], // IPv4-mapped written out in full
    ["0000:0000:0000:0000:0000:FFFF:0A00:0001", false],
    ["::ffff:0:7f00:1", false], // IPv4-translated
    ["::FFFF:C0A8:0101", false],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", false], // Teredo
    ["1:2:3:4:5:6:7:8:9", false],
    ["not-an-ip", false],
  ])("%s → %s", (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});

describe("findPanelAddressProblem", () => {
  const resolveTo = (addresses: string[]) => ({ allowPrivate: false, resolve: async () => addresses });
  const problem = async (url: string, policy: PanelAddressPolicy, locale: "en" | "ru" = "en") => {
    const found = await findPanelAddressProblem(url, policy);
    return found && renderErrorText(found, locale);
  };

  it("refuses a host that resolves to a private address, even among public ones", async () => {
    expect(await findPanelAddressProblem("https://panel.example.com/", resolveTo(["8.8.8.8", "10.0.0.5"]))).toEqual({
      code: "panelAddress.resolvesPrivate",
      params: { host: "panel.example.com", address: "10.0.0.5" },
    });
    expect(await findPanelAddressProblem("https://panel.example.com/", resolveTo(["8.8.8.8"]))).toBeNull();
  });

  // Observation 6: the message started mid-sentence ("is a loopback, …; panels must be …").
  it("says so in a sentence that names the host, in the reader's language", async () => {
    expect(await problem("https://panel.example.com/", resolveTo(["10.0.0.5"]))).toBe(
      "The host panel.example.com resolves to 10.0.0.5, a loopback, private, link-local or reserved address. Panels must be on public addresses unless ALLOW_PRIVATE_PANELS=true is set.",
    );
    expect(await problem("http://127.0.0.1:2053/", resolveTo([]))).toBe(
      "127.0.0.1 is a loopback, private, link-local or reserved address. Panels must be on public addresses unless ALLOW_PRIVATE_PANELS=true is set.",
    );
    expect(await problem("http://127.0.0.1:2053/", resolveTo([]), "ru")).toMatch(/^127\.0\.0\.1 — адрес loopback/);
  });

  it("refuses literal private addresses and unresolvable hosts", async () => {
    expect(await findPanelAddressProblem("http://127.0.0.1:2053/", resolveTo([]))).toMatchObject({ code: "panelAddress.private" });
    expect(await findPanelAddressProblem("http://[::ffff:192.168.0.1]/", resolveTo([]))).toMatchObject({ code: "panelAddress.private" });
    const failing = { allowPrivate: false, resolve: async () => Promise.reject(new Error("ENOTFOUND")) };
    expect(await problem("https://nowhere.invalid/", failing)).toBe("The host nowhere.invalid does not resolve. Check the spelling of the panel's address.");
  });

  it("allows anything when ALLOW_PRIVATE_PANELS is on", async () => {
    expect(await findPanelAddressProblem("http://127.0.0.1:2053/", { allowPrivate: true, resolve: async () => [] })).toBeNull();
  });
});
