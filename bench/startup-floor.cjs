// The work `secrets validate local` cannot skip, as a plain script run in the bench's project: Node's
// crypto, dotenv's parse of the .env, the key, store and journal head read, one HMAC per value and one
// line out. No command line, checks or code cache of ours: the ratio it gets is the floor under any
// CLI doing this work on this machine (bench/startup.mjs).
"use strict";
require("node:module").enableCompileCache?.();
const { readFileSync, writeSync } = require("node:fs");
const { createHmac, hkdfSync } = require("node:crypto");
const dotenv = require("dotenv");

const values = dotenv.parse(readFileSync(".env"));
const key = Buffer.from(hkdfSync("sha256", readFileSync(".secrets/key", "utf8").trim(), "secretshift/v1", "data-key", 32));
readFileSync(".secrets/store.enc");
readFileSync(".secrets/journal.head");
let n = 0;
for (const value of Object.values(values)) {
  createHmac("sha256", key).update(value).digest("hex");
  n++;
}
writeSync(1, `in sync: ${n} in-sync\n`);
