import { createHmac, hkdfSync } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveKey, generateKeyMaterial, loadKey, open, requireKey, seal } from "../../src/core/crypto.js";
import { CliError } from "../../src/core/errors.js";
import { writeDigester } from "../../src/core/write-digest.js";
import { tmpdir } from "../helpers/tmpdir.js";

const key = deriveKey("k".repeat(40));
const otherKey = deriveKey("o".repeat(40));
const CANARY = "CANARY-s3cr3t-7f2e9d";

function failure(fn: () => unknown): CliError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return e as CliError;
  }
  throw new Error("expected a failure");
}

describe("seal/open", () => {
  it("round-trips arbitrary bytes and AAD", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.string(), (bytes, aad) => {
        const sealed = seal(key, Buffer.from(bytes), aad);
        expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]*$/);
        expect(open(key, sealed, aad).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it("uses a fresh IV each call", () => {
    expect(seal(key, CANARY, "a")).not.toBe(seal(key, CANARY, "a"));
  });

  it("detects any single flipped bit in the iv, tag or ciphertext bytes", () => {
    const sealed = seal(key, CANARY, "name:A");
    const [v, ...parts] = sealed.split(".");
    parts.forEach((part, p) => {
      const bytes = Buffer.from(part, "base64url");
      for (let bit = 0; bit < bytes.length * 8; bit++) {
        const flipped = Buffer.from(bytes);
        flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        const copy = [...parts];
        copy[p] = flipped.toString("base64url");
        expect(failure(() => open(key, [v, ...copy].join("."), "name:A")).code).toBe("DECRYPT_FAILED");
      }
    });
  });

  it("detects any single flipped bit in any character of the sealed text", () => {
    const sealed = seal(key, CANARY, "name:A");
    for (let i = 0; i < sealed.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const text = sealed.slice(0, i) + String.fromCharCode(sealed.charCodeAt(i) ^ (1 << bit)) + sealed.slice(i + 1);
        expect(failure(() => open(key, text, "name:A")).code).toBe("DECRYPT_FAILED");
      }
    }
  });

  it("detects ciphertexts swapped between two names", () => {
    const a = seal(key, "value-a", "secret:A");
    const b = seal(key, "value-b", "secret:B");
    expect(failure(() => open(key, b, "secret:A")).code).toBe("DECRYPT_FAILED");
    expect(failure(() => open(key, a, "secret:B")).code).toBe("DECRYPT_FAILED");
  });

  it("detects the wrong key and malformed input, with exit code 2 and context", () => {
    const sealed = seal(key, CANARY, "x");
    const err = failure(() => open(otherKey, sealed, "x", "the local store"));
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe("cannot decrypt the local store: wrong key or the data was modified");
    for (const bad of ["", "v1", "v2.a.b.c", `${sealed}.x`, sealed.replace("v1.", "v1..")]) {
      expect(failure(() => open(key, bad, "x")).code).toBe("DECRYPT_FAILED");
    }
  });

  it("never puts plaintext in an error", () => {
    const sealed = seal(key, CANARY, "x");
    for (const err of [failure(() => open(otherKey, sealed, "x")), failure(() => open(key, sealed, "y"))]) {
      expect(`${err.message} ${err.hint} ${err.stack} ${String(err.cause)}`).not.toContain(CANARY);
    }
  });
});

describe("keys", () => {
  it("env and key file give the same key, so CI can reuse .secrets/key", async () => {
    const dir = await tmpdir();
    const material = generateKeyMaterial();
    expect(material).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await writeFile(join(dir, "key"), `${material}\n`, { mode: 0o600 });
    const fromFile = await loadKey({ env: {}, stateDir: dir });
    const fromEnv = await loadKey({ env: { SECRETS_ENCRYPTION_KEY: material }, stateDir: "/nonexistent" });
    expect(fromFile?.length).toBe(32);
    expect(fromFile?.equals(fromEnv ?? Buffer.alloc(0))).toBe(true);
  });

  it("prefers the env var, rejects short keys without echoing them, and requires a key for live runs", async () => {
    const dir = await tmpdir();
    expect(await loadKey({ env: {}, stateDir: dir })).toBeUndefined();
    await expect(requireKey({ env: {}, stateDir: dir })).rejects.toMatchObject({ code: "NO_KEY", exitCode: 2 });
    const short = "tooShortCanary";
    const err = await loadKey({ env: { SECRETS_ENCRYPTION_KEY: short }, stateDir: dir }).catch((e: CliError) => e);
    expect(err).toMatchObject({ code: "KEY_TOO_SHORT", exitCode: 2 });
    expect((err as CliError).message).not.toContain(short);
    expect((err as CliError).hint).toBeTruthy();
  });

  it("derives with HKDF deterministically from the material", () => {
    expect(generateKeyMaterial(() => Buffer.alloc(32, 1))).toBe(Buffer.alloc(32, 1).toString("base64url"));
    expect(deriveKey("a".repeat(32)).equals(deriveKey("a".repeat(32)))).toBe(true);
    expect(deriveKey("a".repeat(32)).equals(deriveKey("b".repeat(32)))).toBe(false);
  });
});

describe("write digest", () => {
  it("property: the same bytes as HMAC over name, NUL and value fed in three parts, as stores written before hold (lone surrogates included)", () => {
    const key = deriveKey("k".repeat(40));
    const macKey = Buffer.from(hkdfSync("sha256", key, "", "secretshift write digest", 32));
    const digest = writeDigester(key);
    const text = fc.string({ unit: fc.oneof(fc.constantFrom("\ud800", "\udc00", "\0", "é", "a", "😀"), fc.string({ unit: "binary", maxLength: 1 })) });
    fc.assert(
      fc.property(text, text, (name, value) => {
        const threeParts = createHmac("sha256", macKey).update(name).update("\0").update(value).digest("hex").slice(0, 32);
        expect(digest(name, value)).toBe(threeParts);
      }),
    );
  });
});
