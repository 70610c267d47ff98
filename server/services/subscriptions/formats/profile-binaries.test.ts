// The profiles read by the real cores, when the machine has them: XRAY_BIN (`xray run -test -c`),
// SING_BOX_BIN (`sing-box check -c`) and MIHOMO_BIN (`mihomo -t -f`). Each block runs only when its
// variable names a binary; the schema checks in profiles.test.ts run everywhere.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clashProfile } from "./clash-profile";
import { profileEndpoints, UnsupportedProfileError, type ProfileEndpoint, type RenderedProfile } from "./profile-endpoints";
import { singBoxProfile } from "./sing-box-profile";
import { FIXTURE_NAMES, fixtureLink, PRIMARY_LINK, PROFILE_CONTEXT, STANDBY_LINK } from "./testing/profile-fixtures";
import { xrayProfile } from "./xray-profile";

const run = promisify(execFile);

const CORES: { name: string; binary: string | undefined; render: (e: readonly ProfileEndpoint[], c: typeof PROFILE_CONTEXT) => RenderedProfile; check: (binary: string, file: string, dir: string) => Promise<unknown> }[] = [
  { name: "xray", binary: process.env.XRAY_BIN, render: xrayProfile, check: (binary, file) => run(binary, ["run", "-test", "-c", file]) },
  { name: "sing-box", binary: process.env.SING_BOX_BIN, render: singBoxProfile, check: (binary, file) => run(binary, ["check", "-c", file]) },
  { name: "mihomo", binary: process.env.MIHOMO_BIN, render: clashProfile, check: (binary, file, dir) => run(binary, ["-t", "-d", dir, "-f", file]) },
];

const CASES: [string, string[]][] = [
  ["primary with a standby", [PRIMARY_LINK, STANDBY_LINK]],
  ["no key", []],
  ["tls with a pinned certificate", [`vless://5f1c1f6e-8a53-4f7e-9d1e-1c2b3a4d5e6f@node.example.com:443?encryption=none&pcs=${"ab".repeat(32)}&security=tls&sni=a.example.com&type=tcp&vcn=a.example.com#pinned`]],
  ...FIXTURE_NAMES.map((name): [string, string[]] => [name, [fixtureLink(name, "node.example.com", name)]]),
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "profiles-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

for (const core of CORES) {
  describe.runIf(core.binary)(`${core.name} accepts the profile`, () => {
    it.each(CASES)("%s", async (name, links) => {
      let profile: RenderedProfile;
      try {
        profile = core.render(profileEndpoints(links), PROFILE_CONTEXT);
      } catch (error) {
        // A link the format cannot carry is refused by the renderer (profiles.test.ts names which).
        expect(error).toBeInstanceOf(UnsupportedProfileError);
        return;
      }
      const file = path.join(dir, `${core.name}-${name.replaceAll(/\W+/g, "-")}.${core.name === "mihomo" ? "yaml" : "json"}`);
      await writeFile(file, profile.body);
      await expect(core.check(core.binary ?? "", file, dir)).resolves.toBeDefined();
    });
  });
}
