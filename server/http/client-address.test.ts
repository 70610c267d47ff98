import { describe, expect, it } from "vitest";
import { clientAddressFrom, PEER_ADDRESS_HEADER } from "./client-address";

const headers = (values: Record<string, string>) => new Headers(values);

describe("clientAddressFrom", () => {
  it("never reads X-Forwarded-For unless TRUST_PROXY says proxies are in front (it used to, by default)", () => {
    const spoofed = headers({ "x-forwarded-for": "1.2.3.4", [PEER_ADDRESS_HEADER]: "198.51.100.9" });
    expect(clientAddressFrom(spoofed, 0)).toBe("198.51.100.9");
    expect(clientAddressFrom(headers({ "x-forwarded-for": "1.2.3.4" }), 0)).toBe("unknown");
  });

  it("takes the address the outermost trusted proxy saw, skipping what the client wrote before it", () => {
    const viaOne = headers({ "x-forwarded-for": "1.2.3.4, 203.0.113.7", [PEER_ADDRESS_HEADER]: "10.0.0.2" });
    expect(clientAddressFrom(viaOne, 1)).toBe("203.0.113.7");
    const viaTwo = headers({ "x-forwarded-for": "1.2.3.4, 203.0.113.7, 10.0.0.5", [PEER_ADDRESS_HEADER]: "10.0.0.2" });
    expect(clientAddressFrom(viaTwo, 2)).toBe("203.0.113.7");
    expect(clientAddressFrom(headers({ [PEER_ADDRESS_HEADER]: "10.0.0.2" }), 1)).toBe("10.0.0.2");
  });
});
