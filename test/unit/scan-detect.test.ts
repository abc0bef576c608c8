import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPlaceholder, isReference } from "../../src/scan/benign.js";
import { isSecretName } from "../../src/scan/names.js";
import { TOKEN_RULES } from "../../src/scan/rules.js";
import { scanText } from "../../src/scan/scan-text.js";
import { KINDS, random } from "../helpers/fake-secrets.js";

const TOKEN_KINDS = Object.entries(KINDS).filter(([, k]) => TOKEN_RULES.some((r) => r.id === k.rule));
const kinds = fc.constantFrom(...TOKEN_KINDS);
/** Ways a token sits on a line: assigned bare or quoted, in JSON, after a header scheme, in prose, in code. */
const around = fc.constantFrom<[string, string]>(
  ["KEY=", ""],
  ['"token": "', '",'],
  ["auth: ", "  # rotate monthly"],
  ["Authorization: Bearer ", ""],
  ["the key is ", " until Friday"],
  ["call(", ")"],
  ["const k = '", "';"],
  ["- ", ""],
  ["`", "`"],
);

describe("detection, property-tested", () => {
  it("finds a token of every known format wherever it sits on a line, with its exact span", () => {
    fc.assert(
      fc.property(kinds, around, fc.integer(), ([, kind], [before, after], seed) => {
        const token = kind.make(random(seed));
        // By design a value holding a placeholder's shape (`xxxx`, about 1 random token in 30,000) is not reported.
        fc.pre(!isPlaceholder(token));
        const line = `${before}${token}${after}`;
        const hits = scanText(line, { bare: true });
        expect(hits.map((h) => [h.rule, h.column, h.endColumn])).toEqual([[kind.rule, before.length + 1, before.length + token.length + 1]]);
      }),
      { numRuns: 500 },
    );
  });

  it("flags no identifier, digest, UUID, integrity hash or inline image under a name that is not a secret's", () => {
    const hex = (bytes: Uint8Array, algorithm: string) => createHash(algorithm).update(bytes).digest("hex");
    const decoy = fc.oneof(
      fc.uuid(),
      fc.uint8Array({ minLength: 1 }).map((b) => hex(b, "sha1")),
      fc.uint8Array({ minLength: 1 }).map((b) => hex(b, "sha256")),
      fc.uint8Array({ minLength: 1 }).map((b) => `sha512-${createHash("sha512").update(b).digest("base64")}`),
      fc.uint8Array({ minLength: 16, maxLength: 300 }).map((b) => `data:image/png;base64,${Buffer.from(b).toString("base64")}`),
      fc.stringMatching(/^[a-z]{12,40}$/),
      fc.stringMatching(/^[A-Z][a-z]+(?:[A-Z][a-z]+){2,6}$/),
    );
    const names = fc.constantFrom(
      "id",
      "request_id",
      "commit",
      "sha",
      "integrity",
      "checksum",
      "etag",
      "digest",
      "public_key",
      "password_hash",
      "cache_key",
      "token_url",
      "KEY_ID",
    );
    const forms = fc.constantFrom(
      (k: string, v: string) => `${k}=${v}`,
      (k: string, v: string) => `  "${k}": "${v}",`,
      (k: string, v: string) => `${k}: ${v}`,
    );
    fc.assert(
      fc.property(names, decoy, forms, (name, value, form) => {
        expect(scanText(form(name, value), { bare: true })).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});

describe("names, placeholders and references", () => {
  it("reads key names word by word", () => {
    const secret = [
      "DB_PASSWORD",
      "stripeSecretKey",
      "x-api-key",
      "apiKey",
      "STRIPE_KEY",
      "AUTH_TOKEN",
      "client_secret",
      "PASSPHRASE",
      "GITHUB_PAT_TOKEN",
      "DB_PASS",
      "basic_auth",
    ];
    const notSecret = [
      "key",
      "passport",
      "tokenizer",
      "PUBLIC_KEY",
      "PASSWORD_HASH",
      "TOKEN_URL",
      "SECRET_NAME",
      "KEY_ID",
      "cache_key",
      "authDomain",
      "password_min_length",
    ];
    expect(secret.filter((n) => !isSecretName(n))).toEqual([]);
    expect(notSecret.filter((n) => isSecretName(n))).toEqual([]);
  });

  it("knows placeholders and references, and does not mistake a random token containing a word for one", () => {
    const placeholders = [
      "",
      "changeme",
      "<your-key>",
      "xxxxxxxxxxxx",
      "sk_live_XXXXXXXXXXXX",
      "AKIAIOSFODNN7EXAMPLE",
      "your-api-key-here",
      "********",
      "[REDACTED]",
      "__API_KEY__",
    ];
    const references = [
      `\${secret:STRIPE}`,
      `\${secret:aws:db/password}`,
      `\${env:HOME}`,
      "secret:local:businesses/1/stripe_key",
      `\${DB_PASSWORD}`,
      "{{ .Values.token }}",
      "ENC[AES256_GCM,data:x]",
    ];
    expect(placeholders.filter((p) => !isPlaceholder(p))).toEqual([]);
    expect(references.filter((r) => !isReference(r))).toEqual([]);
    expect(["Tbd8fK2mQ9xLp4Rw7Zs3Vn6Y", "q7FakeLm2Wp9Xr4Tz8Kd3Nb6", "hunter2hunter2"].filter((v) => isPlaceholder(v))).toEqual([]);
  });
});
