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
  // The first line is the seal header (MAC and generation, README "State"); the document follows.
  const doc = JSON.parse(text.slice(text.indexOf("\n") + 1)) as {
    secrets: Record<string, { labels: { current?: string }; versions: Record<string, { sealed: string }> }>;
  };
  for (const [name, secret] of Object.entries(doc.secrets)) {
    const version = secret.labels.current;
    const sealed = version === undefined ? undefined : secret.versions[version]?.sealed;
    if (version !== undefined && sealed !== undefined) out.set(name, { value: unseal(key, sealed, `store:${name}:${version}`), version });
  }
  return out;
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
