// Golden profiles per format, for a user with and without a standby, each parsed back (YAML by the
// `yaml` package, JSON by JSON.parse) and checked against what Mihomo, sing-box and Xray accept.
import YAML from "yaml";
import { describe, expect, it } from "vitest";
import { CLASH_FALLBACK_GROUP, CLASH_GROUP, clashProfile } from "./clash-profile";
import { profileEndpoints, UnsupportedProfileError, type ProfileEndpoint, type RenderedProfile } from "./profile-endpoints";
import { SING_BOX_SELECTOR, SING_BOX_URLTEST, singBoxProfile } from "./sing-box-profile";
import { FIXTURE_NAMES, fixtureLink, PRIMARY_LINK, PROFILE_CONTEXT, STANDBY_LINK } from "./testing/profile-fixtures";
import { clashProfileSchema, singBoxProfileSchema, xrayProfileSchema } from "./testing/profile-schemas";
import { XRAY_BALANCER_TAG, XRAY_PRIMARY_TAG, XRAY_STANDBY_TAG, xrayProfile } from "./xray-profile";

type Renderer = (endpoints: readonly ProfileEndpoint[], context: typeof PROFILE_CONTEXT) => RenderedProfile;

const FORMATS: { format: string; render: Renderer; extension: string; read: (body: string) => unknown; schema: { parse: (value: unknown) => unknown } }[] = [
  { format: "clash", render: clashProfile, extension: "yaml", read: (body) => YAML.parse(body, { version: "1.1" }), schema: clashProfileSchema },
  { format: "sing-box", render: singBoxProfile, extension: "json", read: (body) => JSON.parse(body), schema: singBoxProfileSchema },
  { format: "xray", render: xrayProfile, extension: "json", read: (body) => JSON.parse(body), schema: xrayProfileSchema },
];

const render = (format: (typeof FORMATS)[number], links: string[]) => {
  const profile = format.render(profileEndpoints(links), PROFILE_CONTEXT);
  return { profile, parsed: format.schema.parse(format.read(profile.body)) as Record<string, unknown> };
};

describe.each(FORMATS)("$format profile", (format) => {
  it("matches its golden file for a user with one key, and is accepted by the core's schema", async () => {
    const { profile } = render(format, [PRIMARY_LINK]);
    await expect(profile.body).toMatchFileSnapshot(`./golden/${format.format}-single.${format.extension}`);
  });

  it("matches its golden file for a user with a standby, and is accepted by the core's schema", async () => {
    const { profile } = render(format, [PRIMARY_LINK, STANDBY_LINK]);
    await expect(profile.body).toMatchFileSnapshot(`./golden/${format.format}-standby.${format.extension}`);
  });

  it("lets nothing out for a user without a key", () => {
    const { parsed } = render(format, []);
    expect(JSON.stringify(parsed)).not.toMatch(/de1\.example|vless/);
  });
});

// What each core can carry of the links the product issues: the rest is left out of that format.
const UNSUPPORTED: Record<string, Record<string, RegExp>> = {
  clash: { "trojan tcp reality": /trojan over REALITY/ },
  "sing-box": { "vless xhttp reality": /xhttp is not supported by sing-box/ },
  xray: {},
};

describe.each(FORMATS)("$format carries every link the product issues that the core supports", (format) => {
  it.each(FIXTURE_NAMES)("%s", (name) => {
    const link = fixtureLink(name, "node.example.com", `n-${name}`);
    const reason = UNSUPPORTED[format.format]?.[name];
    if (reason) {
      expect(() => render(format, [link])).toThrow(UnsupportedProfileError);
      expect(() => render(format, [link])).toThrow(reason);
      // Left out, not fatal, when another endpoint can be written.
      expect(JSON.stringify(render(format, [link, PRIMARY_LINK]).parsed)).not.toContain(`n-${name}`);
    } else {
      expect(JSON.stringify(render(format, [link]).parsed)).toContain("node.example.com");
    }
  });
});

describe("failover groups", () => {
  it("Clash: a fallback group probes both and tries the primary first; PROXY starts on it", () => {
    const { parsed } = render(FORMATS[0]!, [PRIMARY_LINK, STANDBY_LINK]);
    expect(parsed["proxy-groups"]).toEqual([
      { name: CLASH_GROUP, type: "select", proxies: [CLASH_FALLBACK_GROUP, "Frankfurt · de-1", "Amsterdam · nl-1"] },
      { name: CLASH_FALLBACK_GROUP, type: "fallback", proxies: ["Frankfurt · de-1", "Amsterdam · nl-1"], url: PROFILE_CONTEXT.probe.url, interval: 10, timeout: 5000, lazy: false },
    ]);
    expect(parsed.rules).toEqual([`MATCH,${CLASH_GROUP}`]);
  });

  it("sing-box: a urltest group over both is the selector's default, and the route ends in the selector", () => {
    const { parsed } = render(FORMATS[1]!, [PRIMARY_LINK, STANDBY_LINK]);
    const outbounds = parsed.outbounds as Record<string, unknown>[];
    expect(outbounds.slice(0, 2)).toEqual([
      { type: "selector", tag: SING_BOX_SELECTOR, outbounds: [SING_BOX_URLTEST, "Frankfurt · de-1", "Amsterdam · nl-1"], default: SING_BOX_URLTEST },
      expect.objectContaining({ type: "urltest", tag: SING_BOX_URLTEST, outbounds: ["Frankfurt · de-1", "Amsterdam · nl-1"], interval: "10s" }),
    ]);
    expect(parsed.route).toMatchObject({ final: SING_BOX_SELECTOR });
  });

  it("Xray: everything goes to the balancer, which picks the primary while the observatory sees it alive and the standby otherwise", () => {
    const { parsed } = render(FORMATS[2]!, [PRIMARY_LINK, STANDBY_LINK]);
    expect((parsed.outbounds as { tag: string }[]).map((o) => o.tag)).toEqual([XRAY_PRIMARY_TAG, XRAY_STANDBY_TAG, "direct", "block"]);
    expect(parsed.observatory).toEqual({ subjectSelector: [XRAY_PRIMARY_TAG, XRAY_STANDBY_TAG], probeURL: PROFILE_CONTEXT.probe.url, probeInterval: "10s", enableConcurrency: true });
    expect(parsed.routing).toEqual({
      domainStrategy: "AsIs",
      balancers: [{ tag: XRAY_BALANCER_TAG, selector: [XRAY_PRIMARY_TAG], fallbackTag: XRAY_STANDBY_TAG, strategy: { type: "leastPing" } }],
      rules: [{ type: "field", network: "tcp,udp", balancerTag: XRAY_BALANCER_TAG }],
    });
  });

  it("a user without a standby gets no group: the one key is the way out", () => {
    expect(render(FORMATS[0]!, [PRIMARY_LINK]).parsed["proxy-groups"]).toEqual([{ name: CLASH_GROUP, type: "select", proxies: ["Frankfurt · de-1"] }]);
    expect((render(FORMATS[1]!, [PRIMARY_LINK]).parsed.outbounds as { type: string }[]).map((o) => o.type)).toEqual(["selector", "vless", "direct"]);
    const xray = render(FORMATS[2]!, [PRIMARY_LINK]).parsed;
    expect(xray.observatory).toBeUndefined();
    expect((xray.outbounds as { tag: string }[])[0]?.tag).toBe(XRAY_PRIMARY_TAG);
  });
});

describe("profileEndpoints", () => {
  it("names every endpoint uniquely and skips a link it cannot read", () => {
    const same = fixtureLink("vmess tcp none", "a.example.com", "Same");
    const endpoints = profileEndpoints([same, "garbage://x", fixtureLink("vmess tcp none", "b.example.com", "Same"), fixtureLink("vmess tcp none", "c.example.com", "")]);
    expect(endpoints.map((e) => e.name)).toEqual(["Same", "Same 2", "vmess-c.example.com-10086"]);
  });

  it("keeps passwords that YAML 1.1 would read as booleans or numbers as strings", () => {
    const link = `trojan://yes@t.example.com:443?security=tls&sni=t.example.com&type=tcp#0777`;
    const parsed = render(FORMATS[0]!, [link]).parsed as { proxies: { password: unknown; name: unknown }[] };
    expect(parsed.proxies[0]).toMatchObject({ password: "yes", name: "0777" });
  });
});
