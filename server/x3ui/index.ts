// Public surface of the 3X-UI integration. The simulator is imported from
// ./simulator directly, by tests and scripts only.

export { createPanelClient } from "./client";
export { runExclusive } from "./panel-queue";
export { buildShareLink, type ShareLinkInput } from "./share-link";
export * from "./types";
