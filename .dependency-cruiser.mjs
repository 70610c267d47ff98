/**
 * The layers, checked by `npm run lint` (dependency-cruiser). Dependencies point down only:
 *
 *   app/ (pages, route handlers)  →  server/api, server/http, server/auth  →  server/composition
 *   →  server/services  →  server/db, server/x3ui, server/crypto, server/metrics, server/env|errors|logger
 *   components/ is presentational: it imports nothing from server/.
 *
 * Type-only imports count too (tsPreCompilationDeps). Tests are left out: a test may reach any
 * layer to set up its fixtures. lint-rules.test.ts holds each rule to a wrong and a right import.
 */
const TESTS = "\\.(test|spec)\\.tsx?$";

/** @type {import("dependency-cruiser").IConfiguration} */
const config = {
  forbidden: [
    {
      name: "app-not-db-or-panels",
      comment: "Pages and route handlers reach the database and the panels through services, never directly.",
      severity: "error",
      from: { path: "^app/" },
      to: { path: "^server/(db|x3ui)/" },
    },
    {
      name: "services-not-up",
      comment: "Services are plain functions over their collaborators: they know nothing of HTTP, tRPC, sessions, the wiring or the pages.",
      severity: "error",
      from: { path: "^server/services/" },
      to: { path: "^(app|components)/|^server/(http|api|auth|composition|openapi)/|^server/bootstrap\\.ts$" },
    },
    {
      name: "foundations-not-up",
      comment: "The database, the panel client, crypto, the metrics registry, env, errors and the logger are the ground floor: they import no layer above.",
      severity: "error",
      from: { path: "^server/(db|x3ui|crypto|metrics)/|^server/(env|errors|logger)\\.ts$" },
      to: { path: "^(app|components)/|^server/(services|http|api|auth|composition|openapi|testing)/|^server/bootstrap\\.ts$" },
    },
    {
      name: "components-not-server",
      comment: "Components are presentational: data comes from pages through props and tRPC hooks, not from server modules.",
      severity: "error",
      from: { path: "^components/" },
      to: { path: "^server/" },
    },
    {
      name: "no-folder-cycles",
      comment: "Folders depend on each other one way only (a folder counts with everything under it).",
      severity: "error",
      scope: "folder",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-file-cycles",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: `${TESTS}|^node_modules/|^\\.next` },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".js", ".mjs"] },
  },
};

export default config;
