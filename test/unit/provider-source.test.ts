import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CurrentSecret } from "../../src/providers/types.js";
import { parseSourceOptions } from "../../src/sources/open-provider-source.js";
import { ProviderSource, type ReadOnlyStore } from "../../src/sources/provider-source.js";
import type { SourceBatch } from "../../src/sources/types.js";

/** An in-memory vault that records how many names each read asked for. */
function memoryStore(held: ReadonlyMap<string, string>, reads: number[]): ReadOnlyStore {
  return {
    list: async (prefix) => [...held.keys()].filter((n) => n.startsWith(prefix)),
    readMany: async (names) => {
      reads.push(names.length);
      return new Map(names.flatMap((n): [string, CurrentSecret][] => (held.has(n) ? [[n, { name: n, value: held.get(n) as string, version: "1" }]] : [])));
    },
    close: async () => undefined,
  };
}

async function collect(batches: AsyncIterable<SourceBatch>) {
  const all = [];
  for await (const b of batches) all.push(...b.entries);
  return all;
}

const segment = fc.stringMatching(/^[a-z]{1,3}$/);
const name = fc.oneof(
  fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join("/")),
  fc.constantFrom("secretshift", "secretshift-pending", "secretshift-pending/a", "a/secretshift"),
);

describe("ProviderSource", () => {
  it("yields exactly the names under the prefix, stripped, minus secretshift's bookkeeping, at most batchSize values per read", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(name, { maxLength: 60 }),
        fc.constantFrom("", "a", "a/", "ab/"),
        fc.integer({ min: 1, max: 7 }),
        async (names, prefix, batchSize) => {
          const held = new Map(names.map((n, i) => [n, `value-${i}`]));
          const reads: number[] = [];
          const source = new ProviderSource(memoryStore(held, reads), { provider: "memory", prefix, batchSize });
          const entries = await collect(source.read());
          const bookkeeping = (n: string) => n === "secretshift" || n === "secretshift-pending" || n.startsWith("secretshift-pending/");
          const expected = names.filter((n) => n.startsWith(prefix) && n !== prefix && !bookkeeping(n)).sort();
          expect(entries.map((e) => e.key)).toEqual(expected.map((n) => n.slice(prefix.length)));
          expect(entries.map((e) => e.value)).toEqual(expected.map((n) => held.get(n)));
          expect(entries.map((e) => e.origin.source)).toEqual(expected.map((n) => `memory:${n}`));
          expect(Math.max(0, ...reads)).toBeLessThanOrEqual(batchSize);
        },
      ),
    );
  });

  it("skips a name listed but gone by the time it is read", async () => {
    const store = memoryStore(new Map([["a/one", "1"]]), []);
    const source = new ProviderSource({ ...store, list: async () => ["a/one", "a/gone"] }, { provider: "memory", prefix: "a/" });
    expect((await collect(source.read())).map((e) => e.key)).toEqual(["one"]);
  });
});

describe("parseSourceOptions", () => {
  it("takes kebab or camel keys, and a bare key as a switch", () => {
    expect(parseSourceOptions(["kv-version=1", "mount=kv", "purge"], ["kvVersion", "mount", "purge"], "p")).toEqual({
      kvVersion: "1",
      mount: "kv",
      purge: "true",
    });
  });

  it("keeps everything after the first = (a URL with a query)", () => {
    expect(parseSourceOptions(["endpoint=http://h:1/?a=b"], ["endpoint"], "p")).toEqual({ endpoint: "http://h:1/?a=b" });
  });

  it("refuses a key the provider does not read, naming those it does", () => {
    expect(() => parseSourceOptions(["region=x"], ["mount"], "p")).toThrow(/"region" is not a setting of p/);
  });
});
