/**
 * GET /sub/{token} end to end (handler → service → PostgreSQL + a simulated panel): the profile each
 * app family asks for by its User-Agent or by `?format=`, the headers every format carries, a 400
 * naming `format` for an unknown one, and a 406 when the key cannot be written in the asked format.
 */
import { eq, sql } from "drizzle-orm";
import YAML from "yaml";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { assignments } from "@/server/db/schema";
import type { NextHandler } from "@/server/http/route";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { clashProfileSchema, singBoxProfileSchema, xrayProfileSchema } from "@/server/services/subscriptions/formats/testing/profile-schemas";
import { fixtureLink } from "@/server/services/subscriptions/formats/testing/profile-fixtures";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { GET } from "./route";

let test: TestDatabase;
let fleet: SimulatedFleet;
let handler: NextHandler;
let token: string;
let key: string;

const ENV = {
  SUBSCRIPTION_TITLE: "Fleet VPN",
  SUBSCRIPTION_UPDATE_HOURS: "2",
  SUBSCRIPTION_WEB_PAGE_URL: "https://vpn.example.com/account",
  SUBSCRIPTION_SUPPORT_URL: "https://t.me/fleet_support",
};

beforeAll(async () => {
  test = await createTestDatabase();
  fleet = await startSimulatedFleet(test.db, [{ name: "a", location: "Frankfurt" }]);
  const app = createTestAppContext(test.db, { env: ENV, overrides: { panelFor: fleet.panelFor } });
  handler = GET.withApp(app);
  const created = await getOrCreateKey({ db: test.db, panelFor: fleet.panelFor, publicUrl: "https://fleet.example.com" }, { telegramId: 7001 });
  token = created.subscriptionUrl.split("/sub/")[1] ?? "";
  key = created.key;
});
afterEach(async () => {
  await test.db.execute(sql`UPDATE assignments SET share_link = ${key}`);
});
afterAll(async () => {
  await fleet.close();
  await test.close();
});

const fetchSub = (query = "", userAgent?: string) =>
  handler(new Request(`http://fleet.test/sub/${token}${query}`, { headers: userAgent ? { "user-agent": userAgent } : {} }), { params: Promise.resolve({ token }) });

const HEADERS = {
  "profile-title": `base64:${Buffer.from("Fleet VPN").toString("base64")}`,
  "profile-update-interval": "2",
  "profile-web-page-url": ENV.SUBSCRIPTION_WEB_PAGE_URL,
  "support-url": ENV.SUBSCRIPTION_SUPPORT_URL,
  "content-disposition": "attachment; filename*=UTF-8''Fleet%20VPN",
};

describe("GET /sub/{token} formats", () => {
  it.each([
    ["v2rayN/7.10.5", "base64"],
    ["v2rayNG/1.9.46", "base64"],
    ["Shadowrocket/2070 CFNetwork/1410.0.3 Darwin/22.6.0", "base64"],
    ["Streisand/1.6.42 CFNetwork/1494.0.7 Darwin/23.4.0", "base64"],
    ["Happ/3.2.1", "base64"],
    ["HiddifyNext/2.5.7 (android) like ClashMeta v2ray sing-box", "base64"],
    ["clash-verge/v2.2.3", "clash"],
    ["ClashMetaForAndroid/2.11.2.Meta", "clash"],
    ["mihomo/1.19.8", "clash"],
    ["Stash/2.7.1 Clash/1.11.0", "clash"],
    ["SFA/1.11.9 (1; sing-box 1.11.9)", "sing-box"],
    ["SFI/1.12.0 (sing-box 1.12.0)", "sing-box"],
    ["Xray-core/26.3.27", "xray"],
    ["Mozilla/5.0 (X11; Linux x86_64)", "base64"],
    [undefined, "base64"],
  ])("%s gets %s, with the headers apps read", async (userAgent, format) => {
    const response = await fetchSub("", userAgent);
    expect(response.status).toBe(200);
    expect(Object.fromEntries(Object.keys(HEADERS).map((h) => [h, response.headers.get(h)]))).toEqual(HEADERS);
    expect(response.headers.get("subscription-userinfo")).toMatch(/^upload=\d+; download=\d+; total=\d+; expire=\d+$/);
    const body = await response.text();
    switch (format) {
      case "base64":
        expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
        expect(Buffer.from(body, "base64").toString("utf8")).toBe(`${key}\n`);
        break;
      case "clash":
        expect(response.headers.get("content-type")).toBe("text/yaml; charset=utf-8");
        expect(clashProfileSchema.parse(YAML.parse(body, { version: "1.1" })).proxies).toHaveLength(1);
        break;
      case "sing-box":
        expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
        expect(singBoxProfileSchema.parse(JSON.parse(body)).outbounds.map((o) => o.type)).toEqual(["selector", "vless", "direct"]);
        break;
      case "xray":
        expect(xrayProfileSchema.parse(JSON.parse(body)).outbounds[0]).toMatchObject({ tag: "proxy", protocol: "vless" });
        break;
    }
  });

  it("?format= overrides the User-Agent", async () => {
    const response = await fetchSub("?format=xray", "clash-verge/v2.2.3");
    expect(xrayProfileSchema.parse(await response.json()).remarks).toBe("Fleet VPN");
    expect(Buffer.from(await (await fetchSub("?format=base64", "SFA/1.11.9")).text(), "base64").toString("utf8")).toBe(`${key}\n`);
  });

  it("answers 400 naming the field for an unknown format", async () => {
    const response = await fetchSub("?format=surge");
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; fields: Record<string, string> };
    expect(body.code).toBe("BAD_REQUEST");
    expect(body.fields.format).toContain("base64, clash, sing-box, xray");
  });

  it("answers 406 naming what the format cannot carry, so the app keeps its last profile", async () => {
    await test.db.update(assignments).set({ shareLink: fixtureLink("vless xhttp reality", "a.example.com", "xhttp") });
    const response = await fetchSub("", "SFA/1.11.9 (1; sing-box 1.11.9)");
    expect(response.status).toBe(406);
    expect(await response.text()).toContain("xhttp is not supported by sing-box");
    expect((await fetchSub("?format=xray")).status).toBe(200);
  });

  it("an unknown token stays a 404 in every format", async () => {
    const response = await handler(new Request("http://fleet.test/sub/unknown-token-000000?format=clash"), { params: Promise.resolve({ token: "unknown-token-000000" }) });
    expect(response.status).toBe(404);
  });

  it("a user without a key gets a profile that lets nothing out", async () => {
    await test.db.delete(assignments).where(eq(assignments.shareLink, key));
    try {
      const clash = YAML.parse(await (await fetchSub("?format=clash")).text(), { version: "1.1" });
      expect(clashProfileSchema.parse(clash)).toMatchObject({ proxies: [], rules: ["MATCH,REJECT"] });
      const xray = xrayProfileSchema.parse(await (await fetchSub("?format=xray")).json());
      expect(xray.outbounds[0]).toEqual({ tag: "block", protocol: "blackhole" });
      expect(await (await fetchSub()).text()).toBe("");
    } finally {
      await getOrCreateKey({ db: test.db, panelFor: fleet.panelFor, publicUrl: "https://fleet.example.com" }, { telegramId: 7001 }).then((k) => (key = k.key));
    }
  });
});
