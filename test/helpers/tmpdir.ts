import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir as osTmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const made: string[] = [];

// Registered when a test file first imports this module; vitest isolates modules per file.
afterAll(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh empty directory, removed after the test file finishes. */
export async function tmpdir(): Promise<string> {
  const dir = await mkdtemp(join(osTmpdir(), "secretshift-test-"));
  made.push(dir);
  return dir;
}
