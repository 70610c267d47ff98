// What differs between panel versions, as the simulator needs it. Each flag says
// which versions behave so; the ones marked "real" were checked on real panels
// by the contract suite (docs/x3ui-compat.md).

import type { PanelGeneration } from "../types";
import type { TrafficRules } from "./state";

export interface VersionProfile {
  version: string;
  generation: PanelGeneration;
  /** §4.1: "session" up to v2.3.7, "3x-ui" from v2.3.8. */
  cookieName: string;
  /** §4.2/§4.3: CSRF on session POSTs, csrf-token route, Bearer tokens (v3.0+). */
  isV3: boolean;
  /** §4.4: how a logged-out XHR call under panel/api answers. */
  loggedOutApi: "200-json" | "401-json" | "404" | "401-empty";
  /** §6.1: settings/streamSettings/sniffing emitted as objects (v3.1+). */
  settingsAsObjects: boolean;
  /** §7.4: v3.1–v3.3 mint a new UUID when an update omits it. */
  updateMintsUuid: boolean;
  /** §7.2: unknown email → success:false "Inbound Not Found For Email" (v2.8.1–v3.0.2). */
  trafficNotFoundRefuses: boolean;
  /** §8.1: panelVersion in the status (v3.1+), panelGuid (v3.3+). */
  statusHasPanelVersion: boolean;
  statusHasPanelGuid: boolean;
  /** §4.1 limiter (v3.0+): 5 failures in 5 min per (ip, user) → 15 min ban. */
  loginLimiter: boolean;
  /** Real v2.6.8, v2.9.4: inbounds/:id/delClient refuses to remove an inbound's last client (every G2/G3). */
  keepsLastClient: boolean;
  /** Real v2.9.4: delClient of an unknown key answers success:false "Client Not Found In Inbound For ID: …" (v2.9.4–v3.0.2); older succeed. */
  refusesUnknownClientDelete: boolean;
  /** Real v2.9.4: inbounds/onlines answers [] when nobody is online (v2.9.0+); older answer null. */
  onlinesEmptyArray: boolean;
  /** Real v2.9.4, v3.6.0: an unknown route answers 404 with an empty body (v2.8.5+); older send Gin's "404 page not found". */
  emptyNotFound: boolean;
  /** Traffic rows carry `allTime` (real v2.6.8, v2.9.4; v2.6.7–v3.0.2) and `uuid`/`subId` (real v2.9.4, v3.6.0; v2.8.3+). */
  trafficRowHasAllTime: boolean;
  trafficRowHasIdentity: boolean;
  /** Real v2.6.8, v2.9.4: the traffic job polls Xray every 10 s; real v3.6.0 every 5 s. */
  trafficPollMs: number;
  /**
   * Real v2.6.8: depletion and expiry flip only the traffic row, and an admin disable only the
   * settings; v2.9.4 and v3.6.0 flip both. Real v2.6.8 and v3.6.0: a traffic reset revives a depleted
   * client; v2.9.4 leaves its settings off. Real v3.6.0: the first poll after a start records
   * baselines only (its traffic is lost) and onlines last 20 s after the last bytes; v2 counts
   * everything since the start and reports online only the clients of the last poll.
   */
  traffic: TrafficRules;
}

export const SIMULATED_VERSIONS = { g2: "2.6.0", g3: "2.8.11", g4: "3.6.0" } as const;

function parseVersion(version: string): [number, number, number] {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new Error(`simulator version must look like 2.8.11, got ${JSON.stringify(version)}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function profileFor(versionOrGeneration: string): VersionProfile {
  const version =
    versionOrGeneration in SIMULATED_VERSIONS
      ? SIMULATED_VERSIONS[versionOrGeneration as keyof typeof SIMULATED_VERSIONS]
      : versionOrGeneration.replace(/^v/, "");
  const [major, minor, patch] = parseVersion(version);
  const n = major * 10_000 + minor * 100 + patch;
  if (n < 10_406) throw new Error(`the simulator starts at v1.4.6 (G2); got ${version}`);
  const at = (v: number) => n >= v;
  return {
    version,
    generation: at(30_100) ? "g4" : at(20_700) ? "g3" : "g2",
    cookieName: at(20_308) ? "3x-ui" : "session",
    isV3: at(30_000),
    loggedOutApi: at(30_002) ? "401-empty" : at(20_804) ? "404" : at(20_205) ? "401-json" : "200-json",
    settingsAsObjects: at(30_100),
    updateMintsUuid: at(30_100) && !at(30_400),
    trafficNotFoundRefuses: at(20_801) && !at(30_100),
    statusHasPanelVersion: at(30_100),
    statusHasPanelGuid: at(30_300),
    loginLimiter: at(30_000),
    keepsLastClient: !at(30_100),
    refusesUnknownClientDelete: at(20_904) && !at(30_100),
    onlinesEmptyArray: at(20_900),
    emptyNotFound: at(20_805),
    trafficRowHasAllTime: at(20_607) && !at(30_100),
    trafficRowHasIdentity: at(20_803),
    trafficPollMs: at(30_100) ? 5_000 : 10_000,
    traffic: {
      depletionDisablesSettings: at(20_904),
      adminDisableFlipsTrafficRow: at(20_904),
      resetRevivesSettings: !at(20_904) || at(30_100),
      firstPollIsBaseline: at(30_100),
      onlineGraceMs: at(30_100) ? 20_000 : 0,
    },
  };
}
