import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, type KeyObject, randomBytes, timingSafeEqual } from "node:crypto";
import { closeSync, fstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openSyncNoFollow, refuseStateLinks } from "./atomic-file.js";
import { CliError, ExitCode, usageError } from "./errors.js";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
export const MIN_KEY_CHARS = 32;

/** Env var and key file both pass through here, so CI can reuse `.secrets/key`. */
export function deriveKey(material: string): Buffer {
  return Buffer.from(hkdfSync("sha256", material, "secretshift/v1", "data-key", KEY_BYTES));
}

/** Each purpose gets its own key, so a MAC made for one can never pass as another. */
export type KeyPurpose = "journal" | "store";

/** A MAC key as a KeyObject: an HMAC keyed by one skips copying and checking the key, a third of its cost for a short message. */
export type MacKey = KeyObject;

const subkeys = new WeakMap<Buffer, Map<KeyPurpose, MacKey>>();

/**
 * The data key only ever encrypts: it never keys a MAC, so no MAC output says anything about it.
 * Derived once per key and purpose: a store of many lines asks for it at every line.
 */
export function subkey(dataKey: Buffer, purpose: KeyPurpose): MacKey {
  assertKey(dataKey);
  let derived = subkeys.get(dataKey);
  if (!derived) subkeys.set(dataKey, (derived = new Map()));
  let key = derived.get(purpose);
  if (!key) derived.set(purpose, (key = createSecretKey(Buffer.from(hkdfSync("sha256", dataKey, "secretshift/v2", `mac:${purpose}`, KEY_BYTES)))));
  return key;
}

export const hmac = (key: MacKey, message: string | Buffer): string => createHmac("sha256", key).update(message).digest("hex");

export function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

export function generateKeyMaterial(random: (size: number) => Buffer = randomBytes): string {
  return random(KEY_BYTES).toString("base64url");
}

export interface KeySource {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stateDir: string;
}

/** SECRETS_ENCRYPTION_KEY, else `<stateDir>/key`, else undefined (dry runs need none). */
export async function loadKey({ env, stateDir }: KeySource): Promise<Buffer | undefined> {
  refuseStateLinks(stateDir);
  const fromEnv = env.SECRETS_ENCRYPTION_KEY;
  if (fromEnv !== undefined && fromEnv !== "") return deriveKey(checkLength(fromEnv.trim(), "SECRETS_ENCRYPTION_KEY"));
  const text = readKeyFile(join(stateDir, "key"));
  return text === undefined ? undefined : deriveKey(checkLength(text.trim(), join(stateDir, "key")));
}

/** Like ssh: a key file others could read is refused, since anyone who read it can decrypt every backup. Read at once: it is a few bytes. */
function readKeyFile(file: string): string | undefined {
  const fd = openSyncNoFollow(file);
  if (fd === undefined) return undefined;
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw usageError("KEY_NOT_A_FILE", `${file} is not a regular file`, "restore the key file written by `secrets init`");
    if ((info.mode & 0o077) !== 0) {
      throw usageError(
        "KEY_PERMISSIONS",
        `${file} is readable by others (mode ${(info.mode & 0o777).toString(8).padStart(4, "0")}); refusing to use it`,
        `run \`chmod 600 ${file}\` (and rotate the key if others may have read it), or set SECRETS_ENCRYPTION_KEY instead`,
      );
    }
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

export async function requireKey(source: KeySource): Promise<Buffer> {
  const key = await loadKey(source);
  if (key === undefined) throw noKeyError("live runs need an encryption key");
  return key;
}

/** A new key cannot read the old state, so the hint never sends someone who lost one to `init` alone. */
export const noKeyError = (message: string): CliError =>
  usageError(
    "NO_KEY",
    message,
    "set SECRETS_ENCRYPTION_KEY (32+ characters) or put back the key file this state folder was written with; `secrets init` makes a new key only where there is no state yet",
  );

function checkLength(material: string, origin: string): string {
  if (material.length < MIN_KEY_CHARS) {
    // Report only the length: even a too-short key is a secret.
    throw usageError(
      "KEY_TOO_SHORT",
      `the encryption key from ${origin} has ${material.length} characters; at least ${MIN_KEY_CHARS} are needed`,
      "generate one with `secrets init` or `openssl rand -base64 32`",
    );
  }
  return material;
}

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new TypeError(`encryption key must be ${KEY_BYTES} bytes`);
}

/** Each randomBytes call costs ~10 µs whatever its size; a pool of IVs drawn in one call costs a fraction of that. Every IV is used once. */
const ivPool = { bytes: Buffer.alloc(0), next: 0 };
function freshIv(): Buffer {
  if (ivPool.next + IV_BYTES > ivPool.bytes.length) {
    ivPool.bytes = randomBytes(IV_BYTES * 512);
    ivPool.next = 0;
  }
  const iv = ivPool.bytes.subarray(ivPool.next, ivPool.next + IV_BYTES);
  ivPool.next += IV_BYTES;
  return iv;
}

/** `aad` binds the ciphertext to its context (a name) so it cannot be moved. */
export function seal(key: Buffer, plaintext: Buffer | string, aad: string): string {
  assertKey(key);
  const iv = freshIv();
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const b64 = (b: Buffer) => b.toString("base64url");
  return `${VERSION}.${b64(iv)}.${b64(cipher.getAuthTag())}.${b64(ct)}`;
}

/** `what` names the thing for the error message, never its content. */
export function open(key: Buffer, sealed: string, aad: string, what = "data"): Buffer {
  assertKey(key);
  const fail = () =>
    new CliError("DECRYPT_FAILED", `cannot decrypt ${what}: wrong key or the data was modified`, {
      exitCode: ExitCode.usage,
      hint: "use the key this was written with (SECRETS_ENCRYPTION_KEY or .secrets/key)",
    });
  const parts = sealed.split(".");
  if (parts.length !== 4 || parts[0] !== VERSION) throw fail();
  const [iv, tag, ct] = parts.slice(1).map(strictBase64url);
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || ct === undefined) throw fail();
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]);
  } catch {
    throw fail();
  }
}

/** Node's decoder forgives, so two texts could decode alike; only the canonical one makes every edit detectable. */
function strictBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, "base64url");
  return bytes.toString("base64url") === text ? bytes : undefined;
}
