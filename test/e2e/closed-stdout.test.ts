import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

describe("a reader that stops reading early (`| head`)", () => {
  it("validate --json into a pipe closed after 200 bytes: no stack trace, and the command's own exit code", async () => {
    const cwd = await tmpdir();
    // Far more JSON than a pipe buffers, so the CLI is still writing when the pipe closes.
    await writeFile(join(cwd, ".env"), Array.from({ length: 3000 }, (_, i) => `KEY_${i}=value-${i}-${"x".repeat(40)}\n`).join(""));
    expect((await spawnSecrets(["init"], cwd)).code).toBe(0);
    expect((await spawnSecrets(["migrate", "local", "--yes"], cwd)).code).toBe(0);
    let taken = 0;
    const r = await spawnSecrets(["validate", "local", "--json"], cwd, {}, (child) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        taken += chunk.length;
        if (taken >= 200) child.stdout?.destroy();
      });
    });
    expect(taken).toBeGreaterThanOrEqual(200);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|\n {4}at /);
    expect(r.code).toBe(0);
  });
});
