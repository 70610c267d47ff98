/**
 * `npm run admin -- <command>`: manage dashboard admins from a shell.
 *   list
 *   create <username> [--role owner|admin|viewer] [--password P]   (a strong password is generated if omitted)
 *   reset-password <username> [--password P]                     (also unlocks and signs the account out everywhere)
 * With the embedded database, stop the app first: the data folder can have only one user.
 */
import { parseArgs } from "node:util";
import { openAppContext } from "@/server/composition/app-context";
import { AppError } from "@/server/errors";
import { errorBody } from "@/server/http/messages";
import {
  adminRoleSchema,
  createAdmin,
  findAdminByUsername,
  generatePassword,
  listAdmins,
  resetAdminPassword,
} from "@/server/services/admins/manage-admins";

const USAGE = "usage: npm run admin -- list | create <username> [--role R] [--password P] | reset-password <username> [--password P]";

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { role: { type: "string", default: "admin" }, password: { type: "string" } },
  });
  const [command, username] = positionals;
  if (!command || (command !== "list" && !username)) {
    console.error(USAGE);
    return 2;
  }
  const { app: deps, close } = await openAppContext({ maxConnections: 2 });
  try {
    if (command === "list") {
      for (const a of await listAdmins(deps)) {
        console.log(`${a.username.padEnd(24)} ${a.role.padEnd(7)} ${a.isDisabled ? "disabled" : "active"}`);
      }
      return 0;
    }
    const password = values.password ?? generatePassword();
    if (command === "create") {
      const role = adminRoleSchema.parse(values.role);
      await createAdmin(deps, null, { username: username!, password, role });
      console.log(`Created ${role} ${username}.`);
    } else if (command === "reset-password") {
      const admin = await findAdminByUsername(deps, username!);
      if (!admin) throw new AppError("NOT_FOUND", `No admin named ${username}.`);
      await resetAdminPassword(deps, null, { adminId: admin.id, password });
      console.log(`Password of ${admin.username} reset; their sessions are signed out.`);
    } else {
      console.error(USAGE);
      return 2;
    }
    if (!values.password) console.log(`password: ${password}`);
    return 0;
  } finally {
    await close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof AppError) {
      const { message, fields } = errorBody(error);
      console.error(`error: ${message}${fields ? ` (${Object.entries(fields).map(([k, v]) => `${k} ${v}`).join("; ")})` : ""}`);
    } else {
      console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    }
    process.exit(1);
  },
);
