// Preloaded into a spawned bin/secrets.js (`node --import`) by the crash tests: the process kills
// itself with SIGKILL at the exact moment SECRETSHIFT_TEST_KILL names, so no test needs a timer.
//   append:<n>            right after the n-th append to journal.jsonl is durable (fsync returned)
//   intent:<n>            right after the append that makes n intent lines durable
//   before-rename:<file>  just before a written, fsynced temp file is renamed over <file>
//   after-rename:<file>   right after that rename, before anything else happens
//   torn-patch:<file>     half-way through appending a patch line to <file>, the half synced
//   after-patch:<file>    right after a patch line appended to <file> is durable
// Plain JavaScript: the child runs the built dist/ on Node 20 too, which cannot load TypeScript.
import { constants } from "node:fs";
import fs from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { basename } from "node:path";

const spec = process.env.SECRETSHIFT_TEST_KILL ?? "";
const colon = spec.indexOf(":");
const kind = spec.slice(0, colon);
const arg = spec.slice(colon + 1);

/** SIGKILL cannot be caught: nothing after this line runs, not even pending callbacks. */
function die() {
  process.kill(process.pid, "SIGKILL");
  return new Promise(() => {});
}

if (kind === "append" || kind === "intent") {
  const wanted = Number(arg);
  let seen = 0;
  const open = fs.open;
  fs.open = async (path, flags, mode) => {
    const handle = await open(path, flags, mode);
    // The journal is opened for appending, by flag string or by O_APPEND (with O_NOFOLLOW).
    const appending = typeof flags === "number" ? (flags & constants.O_APPEND) !== 0 : flags === "a";
    if (!appending || basename(String(path)) !== "journal.jsonl") return handle;
    let written = 0;
    const writeFile = handle.writeFile.bind(handle);
    const sync = handle.sync.bind(handle);
    handle.writeFile = (data, options) => {
      written += kind === "append" ? 1 : String(data).split('"type":"intent"').length - 1;
      return writeFile(data, options);
    };
    handle.sync = async () => {
      await sync();
      seen += written;
      written = 0;
      if (seen >= wanted) await die();
    };
    return handle;
  };
} else if (kind === "before-rename" || kind === "after-rename") {
  const rename = fs.rename;
  fs.rename = async (from, to) => {
    if (basename(String(to)) !== arg) return rename(from, to);
    if (kind === "before-rename") await die();
    await rename(from, to);
    await die();
  };
} else if (kind === "torn-patch" || kind === "after-patch") {
  const open = fs.open;
  fs.open = async (path, flags, mode) => {
    const handle = await open(path, flags, mode);
    // The store appends through a write-only handle at its known end (no O_APPEND, no O_CREAT).
    if (basename(String(path)) !== arg || typeof flags !== "number" || (flags & constants.O_WRONLY) === 0) return handle;
    const write = handle.write.bind(handle);
    const sync = handle.sync.bind(handle);
    handle.write = async (data, position, encoding) => {
      if (kind === "after-patch") return write(data, position, encoding);
      await write(String(data).slice(0, Math.floor(String(data).length / 2)), position, encoding);
      await sync();
      return die();
    };
    handle.sync = async () => {
      await sync();
      await die();
    };
    return handle;
  };
} else if (spec !== "") {
  throw new Error(`SECRETSHIFT_TEST_KILL: unknown moment "${spec}"`);
}
syncBuiltinESMExports();
