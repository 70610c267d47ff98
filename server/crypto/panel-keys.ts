import { getEnv } from "@/server/env";
import { parseKeyRing, type KeyRing } from "./secret-box";

let ring: KeyRing | undefined;

/** The app's key ring for panel credentials, parsed once from PANEL_SECRET_KEYS. */
export function getPanelKeyRing(): KeyRing {
  ring ??= parseKeyRing(getEnv().PANEL_SECRET_KEYS);
  return ring;
}
