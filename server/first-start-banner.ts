/**
 * What the first start prints once it created the owner: one framed block, so the password is not
 * lost among the JSON log lines around it, with the exact command to reset it later.
 */
export function firstStartBanner(input: { url: string; username: string; generatedPassword: string | null }): string {
  const lines = [
    "Fleet is ready. First start: the owner account was created.",
    "",
    `  Dashboard  ${input.url}`,
    `  Username   ${input.username}`,
    `  Password   ${input.generatedPassword ?? "the one in ADMIN_PASSWORD"}`,
    "",
    input.generatedPassword ? "The password is shown only now. To set a new one later:" : "To set a new password later:",
    `  npm run admin -- reset-password ${input.username}`,
  ];
  const width = Math.max(...lines.map((line) => line.length));
  const rule = "═".repeat(width + 2);
  return ["", `╔${rule}╗`, ...lines.map((line) => `║ ${line.padEnd(width)} ║`), `╚${rule}╝`, ""].join("\n") + "\n";
}
