// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are the ${secret:…} syntax under test
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ProviderName } from "../../src/providers/index.js";
import { type ResolveContext, resolveTemplates } from "../../src/references/resolve.js";
import { holdsReference, parseTemplate } from "../../src/references/syntax.js";

const vault: Record<string, Record<string, string>> = {
  local: { "db-password": "pw-local", jwt: "j-local" },
  aws: { "db-password": "pw-aws" },
};

function context(calls: { provider: string; names: readonly string[] }[] = []): ResolveContext {
  return {
    env: { EXTERNAL_API_KEY: "ext-key", EMPTY: "" },
    providerFor: () => "local",
    async read(provider: ProviderName, names) {
      calls.push({ provider, names });
      return new Map(names.filter((n) => vault[provider]?.[n] !== undefined).map((n) => [n, vault[provider]?.[n] as string]));
    },
  };
}

const entry = (value: string, line = 1) => ({ key: `K${line}`, value, origin: { source: ".env", line } });

describe("reference syntax", () => {
  it("splits text around references and reads the explicit provider", () => {
    expect(parseTemplate("postgres://app:${secret:db-password}@db/app", ".env:1")).toEqual([
      "postgres://app:",
      { kind: "secret", name: "db-password", text: "${secret:db-password}" },
      "@db/app",
    ]);
    expect(parseTemplate("${secret:aws:db-password}", "x")).toEqual([
      { kind: "secret", provider: "aws", name: "db-password", text: "${secret:aws:db-password}" },
    ]);
    // A first segment that is no provider belongs to the name.
    expect(parseTemplate("${secret:team:db}", "x")).toEqual([{ kind: "secret", name: "team:db", text: "${secret:team:db}" }]);
  });

  it("reads $${ before a reference as a literal ${", () => {
    expect(parseTemplate("a$${secret:x}b${env:EMPTY}", "x")).toEqual(["a${secret:x}b", { kind: "env", name: "EMPTY", text: "${env:EMPTY}" }]);
  });

  it("refuses an empty name with the place it is written", () => {
    expect(() => parseTemplate("${secret:}", ".env:4")).toThrow(/\.env:4: \$\{secret:\} does not name a secret name/);
    expect(() => parseTemplate("${env:1X}", ".env:5")).toThrow(/\.env:5/);
  });

  it("leaves any value without a reference exactly as it is", () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !holdsReference(s)),
        (value) => {
          expect(parseTemplate(value, "x")).toEqual(value === "" ? [""] : [value]);
        },
      ),
    );
  });
});

describe("resolveTemplates", () => {
  it("resolves every kind, reading each provider once with all its names", async () => {
    const calls: { provider: string; names: readonly string[] }[] = [];
    const out = await resolveTemplates(
      [
        entry("postgres://app:${secret:db-password}@db/app", 1),
        entry("${secret:aws:db-password}", 2),
        entry("${env:EXTERNAL_API_KEY}", 3),
        entry("${secret:jwt}", 4),
        entry("plain $${secret:jwt}", 5),
      ],
      context(calls),
    );
    expect(out.map((o) => o.value)).toEqual(["postgres://app:pw-local@db/app", "pw-aws", "ext-key", "j-local", "plain ${secret:jwt}"]);
    expect(calls.map((c) => [c.provider, [...c.names].sort()])).toEqual([
      ["local", ["db-password", "jwt"]],
      ["aws", ["db-password"]],
    ]);
  });

  it("resolves a scrubbed database cell as a whole", async () => {
    const out = await resolveTemplates([{ key: "c", value: "secret:aws:db-password", origin: { source: "db", column: "c" } }], context());
    expect(out[0]?.value).toBe("pw-aws");
  });

  it("names every missing reference with its file:line, never an empty string", async () => {
    const run = resolveTemplates([entry("${secret:nope}", 7), entry("${env:UNSET_VAR}", 9)], context());
    await expect(run).rejects.toMatchObject({ code: "REFERENCE_MISSING", message: ".env:7: ${secret:nope} names no secret in local (and 1 more)" });
  });
});
