/**
 * Input rules for node fields, shared by the tRPC router, the YAML import and the services, so a
 * message names the same field wherever the value came from. Rules that need the database (unique
 * name, max_users not below current users) and the SSRF guard live in save-node.ts.
 */
import { z } from "zod";

const SPKI_PIN = /^(?:[0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$|^[A-Za-z0-9+/_-]{43}=?$/;

const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
/** Blank means "none": "" and null both clear an optional text field. */
const optionalText = (max: number) =>
  z
    .union([text(max), z.null()])
    .optional()
    .transform((v) => (v === "" ? null : v));
/** Write-only credential: blank or absent means "keep what is stored". */
const credential = z
  .string()
  .max(1024, "must be at most 1024 characters")
  .optional()
  .transform((v) => (v === "" ? undefined : v));

export const panelUrlSchema = text(2048)
  .min(1, "is required")
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a full URL such as https://panel.example.com:2053/path/" });
      return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: "must start with http:// or https://" });
    } else if (url.username || url.password) {
      ctx.addIssue({ code: "custom", message: "must not contain a user name or password; use the credential fields" });
    } else if (url.search || url.hash) {
      ctx.addIssue({ code: "custom", message: "must not contain a query string or fragment" });
    }
  });

const fields = {
  name: text(100).min(1, "is required"),
  location: optionalText(100),
  panelUrl: panelUrlSchema,
  panelUsername: optionalText(200),
  panelPassword: credential,
  panelApiToken: credential,
  inboundId: z
    .number({ error: (issue) => (issue.input == null || issue.input === "" || Number.isNaN(issue.input) ? "is required" : "must be a number") })
    .int("must be a whole number")
    .positive("must be greater than 0"),
  publicHost: optionalText(253),
  publicPort: z
    .union([z.number().int("must be a whole number").min(1, "must be 1–65535").max(65_535, "must be 1–65535"), z.null()])
    .optional(),
  tlsMode: z.enum(["verify", "skip", "pin"], { error: "must be verify, skip or pin" }),
  tlsPinSha256: optionalText(200).refine((v) => v == null || SPKI_PIN.test(v), "must be a SHA-256 digest (64 hex digits or base64)"),
  maxUsers: z.number({ error: "must be a number" }).int("must be a whole number").min(0, "must be 0 or more").max(1_000_000, "must be at most 1000000"),
  priority: z.number({ error: "must be a number" }).int("must be a whole number").positive("must be greater than 0").max(1_000_000, "must be at most 1000000"),
  weight: z.number({ error: "must be a number" }).positive("must be greater than 0").max(1_000_000, "must be at most 1000000").finite("must be a finite number"),
};

export const createNodeInputSchema = z.object({
  ...fields,
  tlsMode: fields.tlsMode.default("verify"),
  maxUsers: fields.maxUsers.default(100),
  priority: fields.priority.default(100),
  weight: fields.weight.default(1),
});

export const updateNodeInputSchema = z.object({
  id: z.uuid("must be a node id"),
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
  priority: fields.priority.optional(),
  weight: fields.weight.optional(),
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
  priority: number;
  weight: number;
};

/** A validated create input split into the stored columns and the secret to encrypt. */
export function newNodeConfig(parsed: z.output<typeof createNodeInputSchema>): { config: NodeConfig; secret: { password?: string; apiToken?: string } } {
  const { panelPassword, panelApiToken, ...fields } = parsed;
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
export function crossFieldProblems(config: NodeConfig, secret: { password?: string; apiToken?: string }): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!secret.apiToken && !(config.panelUsername && secret.password)) {
    if (!config.panelUsername && secret.password) problems.panelUsername = "is required with a password";
    else problems.panelPassword = "give the panel's username and password, or an API token";
  }
  if (config.tlsMode === "pin") {
    if (!config.tlsPinSha256) problems.tlsPinSha256 = "is required when the TLS mode is pin";
    if (!config.panelUrl.startsWith("https:")) problems.tlsMode = "pin needs an https:// panel URL";
  }
  return problems;
}
