/**
 * Input rules for node fields, shared by the tRPC router, the YAML import and the services, so a
 * message names the same field wherever the value came from. Messages come from the validation
 * error map (server/errors.ts) as codes, rendered in the reader's language; numbers may be typed
 * with a decimal comma ("1,5"). Rules that need the database (unique name, one node per panel
 * inbound, max_users not below current users) and the SSRF guard live in save-node.ts.
 */
import { z } from "zod";
import type { FieldErrors } from "@/server/errors";
import { ref } from "@/server/messages";
import { localeNumber } from "../input-number";

const SPKI_PIN = /^(?:[0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$|^[A-Za-z0-9+/_-]{43}=?$/;

const text = (max: number) => z.string().trim().max(max);
/** Blank means "none": "" and null both clear an optional text field. */
const optionalText = (max: number) =>
  z
    .union([text(max), z.null()])
    .optional()
    .transform((v) => (v === "" ? null : v));
/** Write-only credential: blank or absent means "keep what is stored". */
const credential = z
  .string()
  .max(1024)
  .optional()
  .transform((v) => (v === "" ? undefined : v));

export const panelUrlSchema = text(2048)
  .min(1)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "validation.panelUrl.format" });
      return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: "validation.panelUrl.scheme" });
    } else if (url.username || url.password) {
      ctx.addIssue({ code: "custom", message: "validation.panelUrl.credentials" });
    } else if (url.search || url.hash) {
      ctx.addIssue({ code: "custom", message: "validation.panelUrl.query" });
    }
  });

const wholeNumber = () => z.number().int();

const fields = {
  name: text(100).min(1),
  location: optionalText(100),
  panelUrl: panelUrlSchema,
  panelUsername: optionalText(200),
  panelPassword: credential,
  panelApiToken: credential,
  inboundId: localeNumber(wholeNumber().positive()),
  publicHost: optionalText(253),
  // Blank clears the override, like the optional text fields.
  publicPort: z.preprocess((v) => (v === "" ? null : v), z.union([localeNumber(wholeNumber().min(1).max(65_535)), z.null()]).optional()),
  tlsMode: z.enum(["verify", "skip", "pin"]),
  tlsPinSha256: optionalText(200).refine((v) => v == null || SPKI_PIN.test(v), "validation.tlsPin"),
  maxUsers: localeNumber(wholeNumber().min(0).max(1_000_000)),
  standbyMaxUsers: localeNumber(wholeNumber().min(0).max(1_000_000)),
  priority: localeNumber(wholeNumber().positive().max(1_000_000)),
  weight: localeNumber(z.number().positive().max(1_000_000)),
};

/**
 * Save the node switched off when its connection test fails, instead of refusing it: the only way
 * past a failed test ("save disabled and nothing else"). Without it such a save is CONNECTION_FAILED.
 */
const saveDisabled = z.boolean().optional();

export const createNodeInputSchema = z.object({
  ...fields,
  tlsMode: fields.tlsMode.default("verify"),
  maxUsers: fields.maxUsers.default(100),
  standbyMaxUsers: fields.standbyMaxUsers.default(100),
  priority: fields.priority.default(100),
  weight: fields.weight.default(1),
  saveDisabled,
});

export const updateNodeInputSchema = z.object({
  id: z.uuid(),
  name: fields.name.optional(),
  location: fields.location,
  panelUrl: fields.panelUrl.optional(),
  panelUsername: fields.panelUsername,
  panelPassword: fields.panelPassword,
  panelApiToken: fields.panelApiToken,
  inboundId: fields.inboundId.optional(),
  publicHost: fields.publicHost,
  publicPort: fields.publicPort,
  tlsMode: fields.tlsMode.optional(),
  tlsPinSha256: fields.tlsPinSha256,
  maxUsers: fields.maxUsers.optional(),
  standbyMaxUsers: fields.standbyMaxUsers.optional(),
  priority: fields.priority.optional(),
  weight: fields.weight.optional(),
  saveDisabled,
});

export type CreateNodeInput = z.input<typeof createNodeInputSchema>;
export type UpdateNodeInput = z.input<typeof updateNodeInputSchema>;

/** The settled configuration of a node, after defaults and merging with what is stored. */
export type NodeConfig = {
  name: string;
  location: string | null;
  panelUrl: string;
  panelUsername: string | null;
  inboundId: number;
  publicHost: string | null;
  publicPort: number | null;
  tlsMode: "verify" | "skip" | "pin";
  tlsPinSha256: string | null;
  maxUsers: number;
  /** Standby clients the node may hold (STANDBY_ENABLED), apart from `maxUsers`. */
  standbyMaxUsers: number;
  priority: number;
  weight: number;
};

/** A validated create input split into the stored columns and the secret to encrypt. */
export function newNodeConfig(parsed: z.output<typeof createNodeInputSchema>): { config: NodeConfig; secret: { password?: string; apiToken?: string } } {
  const { panelPassword, panelApiToken, saveDisabled: _saveDisabled, ...fields } = parsed;
  return {
    config: {
      ...fields,
      location: fields.location ?? null,
      panelUsername: fields.panelUsername ?? null,
      publicHost: fields.publicHost ?? null,
      publicPort: fields.publicPort ?? null,
      tlsPinSha256: fields.tlsPinSha256 ?? null,
    },
    secret: { password: panelPassword, apiToken: panelApiToken },
  };
}

/** Cross-field rules on the settled configuration and credentials, as per-field messages. */
export function crossFieldProblems(config: NodeConfig, secret: { password?: string; apiToken?: string }): FieldErrors {
  const problems: FieldErrors = {};
  if (!secret.apiToken && !(config.panelUsername && secret.password)) {
    if (!config.panelUsername && secret.password) problems.panelUsername = ref("node.field.usernameWithPassword");
    else problems.panelPassword = ref("node.field.credentials");
  }
  if (config.tlsMode === "pin") {
    if (!config.tlsPinSha256) problems.tlsPinSha256 = ref("node.field.pinRequired");
    if (!config.panelUrl.startsWith("https:")) problems.tlsMode = ref("node.field.pinNeedsHttps");
  }
  return problems;
}
