import { appendFileSync, closeSync, fstatSync, openSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openForReading, type ReadHandle } from "../../src/core/read-handle.js";
import { tmpdir } from "../helpers/tmpdir.js";

async function readAt(handle: ReadHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

describe("openForReading: a FileHandle's reads, synchronous for a small file", () => {
  // 1 KiB and 3 MiB: each side of the size below which the file is read synchronously.
  it.each([1024, 3 * 1024 * 1024])("a file of %i bytes reads as the file's bytes, follows appends, and closes once", async (size) => {
    const path = join(await tmpdir(), "store.enc");
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = i % 251;
    writeFileSync(path, bytes);
    const handle = (await openForReading(path)) as ReadHandle;
    expect((await handle.readFile()).equals(readFileSync(path))).toBe(true);
    expect((await readAt(handle, size - 10, 100)).equals(bytes.subarray(size - 10))).toBe(true);
    expect((await handle.stat()).ino).toBe(fstatSync(openSync(path, "r")).ino);
    // An append (a save) is read through the same handle, as the store reads the line it just wrote.
    appendFileSync(path, "appended\n");
    expect((await readAt(handle, size, 9)).toString()).toBe("appended\n");
    expect((await handle.stat()).size).toBe(size + 9);
    await handle.close();
    // A second close must not close a descriptor the number now names.
    const other = openSync(path, "r");
    await handle.close();
    expect(fstatSync(other).size).toBe(size + 9);
    closeSync(other);
  });

  it("no file is undefined; a symbolic link is refused, never read through", async () => {
    const dir = await tmpdir();
    expect(await openForReading(join(dir, "missing"))).toBeUndefined();
    writeFileSync(join(dir, "target"), "x");
    symlinkSync(join(dir, "target"), join(dir, "link"));
    await expect(openForReading(join(dir, "link"))).rejects.toMatchObject({ code: "STATE_SYMLINK" });
  });
});
