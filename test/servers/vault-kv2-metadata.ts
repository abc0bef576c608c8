import { fail, multiError, noContent, notFound, ok, type Reply } from "./vault-http.js";
import { isObject } from "./vault-kv1.js";
import type { KvV2Engine } from "./vault-kv2.js";

const MAX_KEYS = 64;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 512;
const PREFIX = "custom_metadata validation failed";
// Go's strutil.Printable: unicode.IsPrint for every rune (controls, formats, separators other than ' ' fail).
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]|[^\P{Zs} ]/u;

/** The checks and messages of vault-plugin-secrets-kv's validateCustomMetadata (lengths in bytes, as Go's len). */
export function validateCustomMetadata(custom: Record<string, string>): string[] {
  const keys = Object.keys(custom);
  if (keys.length > MAX_KEYS) return [`${PREFIX}: payload must contain at most ${MAX_KEYS} keys, provided ${keys.length}`];
  const errors: string[] = [];
  for (const key of keys) {
    const value = custom[key] ?? "";
    const keyLen = Buffer.byteLength(key);
    const valueLen = Buffer.byteLength(value);
    if (keyLen === 0 || keyLen > MAX_KEY_LENGTH)
      errors.push(`${PREFIX}: length of key ${JSON.stringify(key)} is ${keyLen} but must be 0 < len(key) <= ${MAX_KEY_LENGTH}`);
    if (valueLen === 0 || valueLen > MAX_VALUE_LENGTH) {
      errors.push(`${PREFIX}: length of value for key ${JSON.stringify(key)} is ${valueLen} but must be 0 < len(value) <= ${MAX_VALUE_LENGTH}`);
    }
    if (UNPRINTABLE.test(key)) errors.push(`${PREFIX}: key ${JSON.stringify(key)} (${key}) contains unprintable characters`);
    if (UNPRINTABLE.test(value)) errors.push(`${PREFIX}: value for key ${JSON.stringify(key)} contains unprintable characters`);
  }
  return errors;
}

/** mapstructure.WeakDecode into strings; `null` is dropped only by PATCH (it means "remove"). */
function parseCustom(raw: Record<string, unknown>, dropNulls: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (dropNulls && v === null) continue;
    out[k] = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  }
  return out;
}

export function metadataRead(engine: KvV2Engine, path: string): Reply {
  const key = engine.keys.get(path);
  if (!key) return notFound;
  const versions = Object.fromEntries(
    [...key.versions].map(([n, v]) => [String(n), { created_time: v.created, deletion_time: v.deletion, destroyed: v.destroyed }]),
  );
  return ok(
    {
      versions,
      current_version: key.current,
      oldest_version: key.oldest,
      created_time: key.created,
      updated_time: key.updated,
      max_versions: key.maxVersions,
      cas_required: key.casRequired,
      delete_version_after: key.deleteVersionAfter,
      custom_metadata: key.custom,
    },
    { mount_type: "kv" },
  );
}

/** POST metadata: the given fields replace the stored ones (custom_metadata as a whole); creates the entry. */
export function metadataWrite(engine: KvV2Engine, path: string, body: Record<string, unknown>): Reply {
  if (path === "") return fail(400, "missing path");
  const fields = ["max_versions", "cas_required", "delete_version_after", "custom_metadata"].filter((f) => body[f] !== undefined);
  if (fields.length === 0) return noContent;
  let custom: Record<string, string> | undefined;
  if (body.custom_metadata !== undefined) {
    if (!isObject(body.custom_metadata)) return fail(400, `${PREFIX}: expected a map`);
    custom = parseCustom(body.custom_metadata, false);
    const errors = validateCustomMetadata(custom);
    if (errors.length > 0) return fail(400, multiError(errors));
  }
  const key = engine.keys.get(path) ?? engine.newKey();
  engine.keys.set(path, key);
  applyFields(key, body);
  if (custom) key.custom = custom;
  key.updated = engine.iso();
  return noContent;
}

/**
 * PATCH metadata (JSON merge patch): needs `application/merge-patch+json`, an existing entry, and
 * validates only the patch's own custom_metadata entries, like the plugin does.
 */
export function metadataPatch(engine: KvV2Engine, path: string, body: Record<string, unknown>, contentType: string): Reply {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/merge-patch+json") return fail(415, `PATCH requires Content-Type of application/merge-patch+json, got "${type}"`);
  const key = engine.keys.get(path);
  if (!key) return notFound;
  if (body.custom_metadata !== undefined && body.custom_metadata !== null) {
    if (!isObject(body.custom_metadata)) return fail(400, `${PREFIX}: expected a map`);
    const errors = validateCustomMetadata(parseCustom(body.custom_metadata, true));
    if (errors.length > 0) return fail(400, multiError(errors));
    const merged = { ...(key.custom ?? {}) };
    for (const [k, v] of Object.entries(body.custom_metadata)) {
      if (v === null) delete merged[k];
      else merged[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    key.custom = merged;
  } else if (body.custom_metadata === null) {
    key.custom = null;
  }
  applyFields(key, body);
  key.updated = engine.iso();
  return noContent;
}

function applyFields(key: ReturnType<KvV2Engine["newKey"]>, body: Record<string, unknown>): void {
  if (body.max_versions !== undefined) key.maxVersions = Number(body.max_versions);
  if (body.cas_required !== undefined) key.casRequired = body.cas_required === true || body.cas_required === "true";
  if (body.delete_version_after !== undefined) key.deleteVersionAfter = String(body.delete_version_after);
}
