/**
 * `npm start`: serve the production build on PORT (default 3000), building it first when there is
 * none or when the sources changed since the last build, so `npm ci && npm start` works on a
 * fresh clone. The embedded database and its secrets are created by the server on first start.
 */
import { ensureProductionBuild, startProductionServer } from "./lib/production-server";

const env = process.env;
ensureProductionBuild(env);
const server = startProductionServer(env.PORT ?? "3000", env);
server.on("exit", (code) => process.exit(code ?? 0));
