import { createHmac, hkdfSync } from "node:crypto";

/**
 * A keyed digest (HMAC-SHA-256, key derived from the data key) of the value a run writes to a
 * name. The intent line carries it, so after a crash rollback can tell whether the value a
 * provider holds is the one the run sent, without the journal ever holding the value or a plain
 * hash of it (a short secret's plain hash is a dictionary lookup away).
 */
export function writeDigester(dataKey: Buffer): (name: string, value: string) => string {
  const key = Buffer.from(hkdfSync("sha256", dataKey, "", "secretshift write digest", 32));
  return (name, value) => createHmac("sha256", key).update(name).update("\0").update(value).digest("hex").slice(0, 32);
}
