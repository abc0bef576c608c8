import fc from "fast-check";
import { parse } from "pg-connection-string";
import { describe, expect, it } from "vitest";
import { maskCommand, maskCredentials } from "../../src/ui/mask.js";

// The authority on what the password of a connection string is: pg's own parser.
const passwordOf = (url: string): string | undefined => {
  try {
    return parse(url).password ?? undefined;
  } catch {
    return undefined;
  }
};

const chars = (alphabet: string, min = 8) => fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: 24 });
const LOOSE = "abcXYZ019-_.~!$*+,;=:@/ %'\"()[]^`{|}";

describe("maskCredentials hides every password pg would use", () => {
  it("in the userinfo, whatever it holds (@, spaces, slashes, percent-encoding)", () => {
    fc.assert(
      fc.property(chars(LOOSE), (pw) => {
        const url = `postgres://app:${pw}@db.internal:5432/app`;
        const shown = maskCredentials(url);
        const parsed = passwordOf(url);
        if (parsed && parsed.length >= 3) expect(shown).not.toContain(parsed);
        expect(shown).not.toContain(pw);
        expect(shown.startsWith("postgres://app:****@")).toBe(true);
      }),
    );
  });

  it("in ?password= and other credential parameters, names percent-encoded or not", () => {
    const names = ["password", "%70assword", "pass%77ord", "sslpassword", "PASSWORD"];
    fc.assert(
      fc.property(fc.constantFrom(...names), chars(LOOSE.replaceAll("&", "").replaceAll("#", "")), fc.boolean(), (name, pw, first) => {
        const url = first ? `postgres://app@db/app?${name}=${pw}&sslmode=require` : `postgres://app@db/app?sslmode=require&${name}=${pw}`;
        const shown = maskCredentials(url);
        const parsed = passwordOf(url);
        if (parsed && parsed.length >= 3 && name.toLowerCase().endsWith("ord")) expect(shown).not.toContain(parsed);
        expect(shown).not.toContain(pw);
      }),
    );
  });

  it("in libpq key=value strings, quoted or not", () => {
    fc.assert(
      fc.property(chars("abcXYZ019-_.@:/%"), chars("abcXYZ 019-_.@:/%'\\"), (plain, quoted) => {
        const escaped = quoted.replaceAll("\\", "\\\\").replaceAll("'", "\\'");
        const shown = maskCredentials(`host=db password=${plain} user=app`);
        expect(shown).toBe("host=db password=**** user=app");
        expect(maskCredentials(`host=db password='${escaped}' dbname=app`)).toBe("host=db password=**** dbname=app");
      }),
    );
  });

  it("leaves what is not a credential alone", () => {
    expect(maskCredentials("https://vault.example.com:8200/v1/secret")).toBe("https://vault.example.com:8200/v1/secret");
    expect(maskCredentials("postgres://app@db/app?sslmode=require")).toBe("postgres://app@db/app?sslmode=require");
    expect(maskCredentials("sslkey=/etc/key.pem user=app")).toBe("sslkey=/etc/key.pem user=app");
  });

  it("maskCommand keeps the program and hides every argument", () => {
    expect(maskCommand("curl -H 'Authorization: Bearer sk-123' https://x")).toBe("curl … (44 more chars hidden)");
    expect(maskCommand("TOKEN=abc ./check.sh")).toBe("**** … (11 more chars hidden)");
    expect(maskCommand("./check.sh")).toBe("./check.sh");
  });
});
