// The work `secrets validate local` cannot skip, as a plain script run in the bench's project: Node's
// crypto, dotenv's parse of the .env, the key, store and journal head read, one HMAC per value and one
// line out. No command line, checks or code cache of ours: the ratio it gets is the floor under any
// CLI doing this work on this machine (bench/startup.mjs).
// With `--without-crypto`, the same reads, parse and line without Node's crypto at all: dotenv's
// require("crypto") (used only to decrypt a .env.vault) is answered by an empty object, and no HMAC
// is computed. What is left is the floor for a CLI whose hashes would be JavaScript.
"use strict";
const withoutCrypto = process.argv[2] === "--without-crypto";
if (withoutCrypto) {
  const Module = require("node:module");
  const load = Module._load;
  Module._load = function (request, ...rest) {
    return request === "crypto" ? {} : load.call(this, request, ...rest);
  };
}
require("node:module").enableCompileCache?.();
const { readFileSync, writeSync } = require("node:fs");
const dotenv = require("dotenv");

const values = dotenv.parse(readFileSync(".env"));
const material = readFileSync(".secrets/key", "utf8").trim();
readFileSync(".secrets/store.enc");
readFileSync(".secrets/journal.head");
let n = 0;
if (withoutCrypto) n = Object.keys(values).length;
else {
  const { createHmac, hkdfSync } = require("node:crypto");
  const key = Buffer.from(hkdfSync("sha256", material, "secretshift/v1", "data-key", 32));
  for (const value of Object.values(values)) {
    createHmac("sha256", key).update(value).digest("hex");
    n++;
  }
}
writeSync(1, `in sync: ${n} in-sync\n`);
