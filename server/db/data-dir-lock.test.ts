import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { acquireDataDirLock, DataDirLockedError } from "./data-dir-lock";

describe("data folder lock", () => {
  it("refuses while a live process holds it, with a message saying what to do", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-lock-"));
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    try {
      writeFileSync(path.join(dir, "app.lock"), String(holder.pid));
      const error = (() => {
        try {
          acquireDataDirLock(dir);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(DataDirLockedError);
      expect((error as Error).message).toMatch(new RegExp(`process ${holder.pid}.*Stop it first`));
    } finally {
      holder.kill();
    }
  });

  it("takes over a lock left by a dead process, and releases it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-lock-"));
    writeFileSync(path.join(dir, "app.lock"), "999999999");
    const release = acquireDataDirLock(dir);
    expect(readFileSync(path.join(dir, "app.lock"), "utf8")).toBe(String(process.pid));
    release();
    const again = acquireDataDirLock(dir);
    again();
  });
});
