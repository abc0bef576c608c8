import { hash, hkdfSync } from "node:crypto";

/** SHA-256's block: HMAC pads its key to it (RFC 2104). */
const BLOCK = 64;

/**
 * A keyed digest of the value a run writes: after a crash rollback can tell the run's write, and a
 * short secret's plain hash would be a dictionary lookup away.
 *
 * HMAC-SHA256 of `name NUL value`, the first 16 bytes in hex, built from two one-shot hashes over
 * the key's padded blocks, as RFC 2104 defines it: a no-op re-run digests every value, and an Hmac
 * object costs ~1.5× as much per short value (test/unit/write-digest.test.ts checks it against createHmac).
 */
export function writeDigester(dataKey: Buffer): (name: string, value: string) => string {
  const key = Buffer.from(hkdfSync("sha256", dataKey, "", "secretshift write digest", 32));
  const inner = Buffer.alloc(BLOCK, 0x36);
  // The outer block, then the inner hash.
  const outer = Buffer.alloc(BLOCK + 32, 0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i] = (inner[i] ?? 0) ^ (key[i] ?? 0);
    outer[i] = (outer[i] ?? 0) ^ (key[i] ?? 0);
  }
  key.fill(0);
  let scratch = Buffer.alloc(BLOCK + 1024);
  inner.copy(scratch);
  // One view of the scratch per length hashed: values of a file are mostly of a few lengths.
  let views: Buffer[] = [];
  return (name, value) => {
    const text = `${name}\0${value}`;
    // UTF-8 takes at most 3 bytes per UTF-16 unit (a lone surrogate becomes U+FFFD, as createHmac's update does).
    if (BLOCK + text.length * 3 > scratch.length) {
      scratch = Buffer.alloc(BLOCK + text.length * 3);
      inner.copy(scratch);
      views = [];
    }
    const end = BLOCK + scratch.write(text, BLOCK, "utf8");
    const view = (views[end] ??= scratch.subarray(0, end));
    // Digests come out as strings: a Buffer made for each costs ~1 µs more than the hash itself (Node 20
    // and 24). "binary" (latin1) carries each byte of the inner one as one unit, and back.
    outer.write(hash("sha256", view, "binary"), BLOCK, "binary");
    return hash("sha256", outer, "hex").slice(0, 32);
  };
}
