import { createHmac, hkdfSync } from "node:crypto";

/** A keyed digest of the value a run writes: after a crash rollback can tell the run's write, and a short secret's plain hash would be a dictionary lookup away. */
export function writeDigester(dataKey: Buffer): (name: string, value: string) => string {
  const key = Buffer.from(hkdfSync("sha256", dataKey, "", "secretshift write digest", 32));
  return (name, value) => createHmac("sha256", key).update(name).update("\0").update(value).digest("hex").slice(0, 32);
}
