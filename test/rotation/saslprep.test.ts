import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scramVerifier } from "../../src/rotation/strategies/postgres-sql.js";
import { pgSaslprep } from "../../src/rotation/strategies/saslprep.js";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";

let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => server?.stop());

/** The server's own verifier for `password`, made from plaintext (only this test ever sends one). */
async function serverVerifier(password: string): Promise<string> {
  const literal = `E'${password.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
  await server.query("SET password_encryption = 'scram-sha-256'");
  await server.query(`ALTER ROLE saslprep_probe PASSWORD ${literal}`);
  const [row] = await server.query<{ rolpassword: string }>("SELECT rolpassword FROM pg_authid WHERE rolname = 'saslprep_probe'");
  return row?.rolpassword ?? "";
}

/** Ours, with the salt and iteration count the server picked. */
function oursLike(verifier: string, password: string): string {
  const [, params] = verifier.split("$");
  const [iterations, salt] = (params ?? "").split(":");
  return scramVerifier(password, Buffer.from(salt ?? "", "base64"), Number(iterations));
}

describe("SCRAM verifiers match the server's own, SASLprep included (the server is the authority)", () => {
  beforeAll(async () => {
    await server.query("CREATE ROLE saslprep_probe LOGIN");
  });

  const cases: [string, string][] = [
    ["plain ASCII", "plain-ASCII-password_0123"],
    ["ASCII with a control character (ASCII passes unchanged)", "a\u0007b"],
    ["NFC umlauts", "pässwörd-ünïcödé"],
    ["decomposed umlauts (NFKC composes them)", "pa\u0308sswo\u0308rd"],
    ["a ligature and a Roman numeral (NFKC expands them)", "\ufb01x-\u2168"],
    ["a non-ASCII space (mapped to a space)", "a\u00a0b\u3000c"],
    ["soft hyphen and ZWJ (mapped to nothing)", "a\u00adb\u200dc"],
    ["only characters mapped to nothing (empty: raw bytes)", "\u00ad\u00ad"],
    ["a private-use character (prohibited: raw bytes)", "x\ue000y"],
    ["unassigned in Unicode 3.2 (raw bytes)", "\u0221x"],
    ["RTL then a digit (bidi rule broken: raw bytes)", "\u0627\u0031"],
    ["RTL only", "\u0627\u0628\u0629"],
    ["RTL mixed with LTR letters (raw bytes)", "\u0627a\u0628"],
    ["emoji (unassigned in 3.2: raw bytes)", "pw-🔑-x"],
    ["prohibited after NFKC-only changes (pg checks before normalizing)", "\ufb01\u0080"],
  ];
  for (const [what, password] of cases) {
    it(what, async () => {
      const theirs = await serverVerifier(password);
      expect(theirs).toMatch(/^SCRAM-SHA-256\$4096:/);
      expect(oursLike(theirs, password)).toBe(theirs);
    });
  }

  it("for arbitrary strings mixing ASCII, mapped, prohibited, bidi and composed characters", async () => {
    const alphabet = [
      "a",
      "Z",
      "7",
      "-",
      " ",
      "\u00a0",
      "\u00ad",
      "\u200b",
      "ä",
      "a\u0308",
      "\ufb01",
      "\u2168",
      "\u0627",
      "\u05d0",
      "\ue000",
      "\u0221",
      "🔑",
      "\u3000",
      "ß",
    ];
    const password = fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 12 }).map((parts) => parts.join(""));
    await fc.assert(
      fc.asyncProperty(password, async (p) => {
        const theirs = await serverVerifier(p);
        expect(oursLike(theirs, p)).toBe(theirs);
      }),
      { numRuns: 60 },
    );
  });

  it("pgSaslprep follows RFC 4013's examples where pg_saslprep agrees with them", () => {
    expect(pgSaslprep("I\u00adX")).toBe("IX");
    expect(pgSaslprep("user")).toBe("user");
    expect(pgSaslprep("\u00aa")).toBe("a");
    expect(pgSaslprep("\u2168")).toBe("IX");
    expect(pgSaslprep("\u0627\u0031")).toBeUndefined();
    // RFC 4013 prohibits U+0007; pg_saslprep passes pure ASCII through unchanged.
    expect(pgSaslprep("\u0007")).toBe("\u0007");
  });
});
