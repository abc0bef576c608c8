import { createDecipheriv, hkdfSync } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The local store judged from its file bytes, decrypted here with node:crypto alone: the key
 * derivation and the sealed-value format as README "State" documents them, not the store class.
 * A store file that is absent holds nothing.
 */
export async function localCurrentValues(
  cwd: string,
  env: Record<string, string>,
  storePath?: string,
): Promise<Map<string, { value: string; version: string }>> {
  const stateDir = join(cwd, ".secrets");
  const text = await readFile(storePath ?? join(stateDir, "store.enc"), "utf8").catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined;
    throw e;
  });
  const out = new Map<string, { value: string; version: string }>();
  if (text === undefined) return out;
  const material = (env.SECRETS_ENCRYPTION_KEY || (await readFile(join(stateDir, "key"), "utf8"))).trim();
  const key = Buffer.from(hkdfSync("sha256", material, "secretshift/v1", "data-key", 32));
  const doc = storeDocument(text);
  for (const [name, secret] of Object.entries(doc.secrets)) {
    const version = secret.labels.current;
    const sealed = version === undefined ? undefined : secret.versions[version]?.sealed;
    if (version !== undefined && sealed !== undefined) out.set(name, { value: unseal(key, sealed, `store:${name}:${version}`), version });
  }
  return out;
}

type StoreSecrets = Record<string, { labels: { current?: string }; versions: Record<string, { sealed: string }> }>;

/**
 * The file's secrets as README "State" lays them out: a seal header line, then `<tag>\t<names>\t<secrets>`
 * lines, each setting the secrets it names (`secrets[i]` for `names.names[i]`; null deletes it); an
 * unterminated last line is a torn append and holds nothing. A file in the earlier layout (the header,
 * one snapshot document line, then `<tag>\t<patch>` lines) is read too.
 */
export function storeDocument(text: string): { secrets: StoreSecrets } {
  const lines = text.split("\n");
  const secrets: StoreSecrets = Object.create(null);
  const set = (name: string, secret: StoreSecrets[string] | null) => {
    if (secret === null) delete secrets[name];
    else secrets[name] = secret;
  };
  if ((JSON.parse(lines[0] || "{}") as { format?: string }).format === "secretshift-store-seal/2") {
    for (const line of lines.slice(1, -1)) {
      const [, names, values] = line.split("\t");
      const held = (JSON.parse(names ?? "{}") as { names: string[] }).names;
      const all = JSON.parse(values ?? "[]") as (StoreSecrets[string] | null)[];
      for (const [i, name] of held.entries()) set(name, all[i] ?? null);
    }
    return { secrets };
  }
  Object.assign(secrets, (JSON.parse(lines[1] ?? "{}") as { secrets: StoreSecrets }).secrets);
  for (const line of lines.slice(2, -1)) {
    for (const [name, secret] of Object.entries(JSON.parse(line.slice(line.indexOf("\t") + 1)) as StoreSecrets)) set(name, secret);
  }
  return { secrets };
}

/** `v1.<iv>.<tag>.<ciphertext>`, base64url, AES-256-GCM with the context as additional data. */
function unseal(key: Buffer, sealed: string, aad: string): string {
  const [, iv, tag, ct] = sealed.split(".").map((p) => Buffer.from(p, "base64url"));
  if (!iv || !tag || !ct) throw new Error(`not a sealed value (${aad})`);
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: 16 });
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ct), decipher.final()]).toString("utf8");
}
