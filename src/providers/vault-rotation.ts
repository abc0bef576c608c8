import { CliError, ExitCode } from "../core/errors.js";
import { runPool } from "../core/pool.js";
import type { GraceRecord, PromoteOp, RotatingStore, RotationLabels, RotationVersion } from "../rotation/types.js";
import { decodeNotes, encodeNotes } from "./rotation-notes.js";
import { ConflictError } from "./types.js";
import { isHttpError, serverMessage } from "./vault-call.js";
import { fieldOf, isCasMismatch, type KvClient, type KvRead } from "./vault-kv.js";

/**
 * The custom_metadata layout of a rotated KV v2 key. `head-version` is the last version a
 * rotation wrote; while it is still the latest, `current-version` names the current version
 * (the latest is then a pending or a discarded one). Any other write makes the latest current again.
 */
const K = {
  current: "current-version",
  currentRun: "current-run",
  previous: "previous-version",
  grace: "grace-until",
  pending: "pending-version",
  pendingRun: "pending-run",
  head: "head-version",
} as const;
const NOTE = "note:";
const MAX_KEYS = 64;

export const KV1_CANNOT_ROTATE = "Vault KV v1 keeps no versions, so it cannot hold a pending or a previous value: rotation (and --grace-period) needs KV v2";

/** What a plain write (migrate, rollback) clears: after it, the latest version is current again. */
export const AFTER_PLAIN_WRITE: Readonly<Record<string, null>> = { [K.head]: null, [K.pending]: null, [K.pendingRun]: null };

type Custom = Readonly<Record<string, string>>;

/** The current version number of a key whose latest is `latest`. */
export function currentOf(latest: number, c: Custom): number {
  const named = Number(c[K.current]);
  return c[K.head] === String(latest) && Number.isInteger(named) && named > 0 ? named : latest;
}

/** `readMany`'s read: the version named current, with `head` to check-and-set against when that is a discarded one. */
export async function readCurrent(kv: KvClient, name: string): Promise<(KvRead & { head?: number }) | undefined> {
  const read = await kv.readLatest(name);
  const c = read?.custom ?? {};
  if (!read || kv.version !== 2 || currentOf(read.version, c) === read.version) return read;
  const version = currentOf(read.version, c);
  return { version, data: await kv.readVersion(name, version), custom: c, ...(c[K.pending] === undefined ? { head: read.version } : {}) };
}

export interface VaultRotationHost {
  kv(): KvClient;
  readonly field: string;
  /** custom_metadata-safe spelling of a run id. */
  runTag(runId: string): string;
  notify(message: string): void;
}

/**
 * `RotatingStore` on KV v2 versions (see src/rotation/types.ts). The pending marker is recorded
 * before the version is written, so a crash in between leaves a marker (reclaimed later), never an
 * unmarked new latest version that readers would take for current.
 */
export class VaultRotation implements RotatingStore {
  constructor(private readonly host: VaultRotationHost) {}

  async readLabels(name: string): Promise<RotationLabels | undefined> {
    const meta = await this.host.kv().readMeta(name);
    if (!meta || meta.current === 0) return undefined;
    const c = meta.custom;
    const at = currentOf(meta.current, c);
    const applies = c[K.current] === String(at);
    const current = await this.version(name, at, applies ? c[K.currentRun] : undefined);
    if (!current) return undefined;
    const pv = Number(c[K.pending]);
    const pending = pv > 0 && pv <= meta.current ? await this.version(name, pv, c[K.pendingRun]) : undefined;
    const previous = applies && c[K.previous] ? await this.version(name, Number(c[K.previous])) : undefined;
    const graceUntil = previous ? dateOf(c[K.grace]) : undefined;
    const notes = applies ? decodeNotes(c, NOTE) : {};
    return { current, ...(previous ? { previous } : {}), ...(pending ? { pending } : {}), ...(graceUntil ? { graceUntil } : {}), notes };
  }

  async putPending(name: string, value: string, runId: string): Promise<string> {
    const kv = this.host.kv();
    const meta = await kv.readMeta(name);
    if (!meta || meta.current === 0) throw notFound(kv, name);
    const c = meta.custom;
    const tag = this.host.runTag(runId);
    const pv = Number(c[K.pending]);
    // A marker whose version is gone (or never written) is what a crash left behind: take it over.
    if (pv > 0 && pv <= meta.current && (await kv.readVersion(name, pv)) !== undefined) {
      if (c[K.pendingRun] === tag) return String(pv);
      throw new ConflictError(name, `${kv.dataPath(name)} already has a pending version ${pv} from run ${c[K.pendingRun] ?? "unknown"}`);
    }
    const at = currentOf(meta.current, c);
    const data = await kv.readVersion(name, at);
    if (!data) throw notFound(kv, name);
    const next = meta.current + 1;
    const stale = c[K.current] === String(at) ? {} : { ...cleared(c), [K.currentRun]: null };
    await this.patch(name, { ...stale, [K.current]: String(at), [K.head]: String(next), [K.pending]: String(next), [K.pendingRun]: tag });
    try {
      await kv.write(name, { ...data, [this.host.field]: value }, "update", meta.current);
    } catch (error) {
      if (!isCasMismatch(error)) throw error;
      // After a retried (ambiguous) attempt, the mismatch may be our own first attempt landing.
      const landed = (error as { attempts?: number }).attempts ?? 1;
      if (landed < 2 || fieldOf(await kv.readVersion(name, next), this.host.field) !== value) {
        throw new ConflictError(name, `${kv.dataPath(name)} changed while its pending version was written`);
      }
    }
    return String(next);
  }

  async promote(op: PromoteOp): Promise<void> {
    const notes = encodeNotes(op.notes, NOTE, { key: 128, value: 512, where: "Vault custom_metadata" });
    const kv = this.host.kv();
    const meta = await kv.readMeta(op.name);
    if (!meta) throw notFound(kv, op.name);
    const c = meta.custom;
    const at = currentOf(meta.current, c);
    if (String(at) === op.pendingVersion && c[K.pending] === undefined) return;
    if (c[K.pending] !== op.pendingVersion || String(meta.current) !== op.pendingVersion) {
      throw new ConflictError(op.name, `${kv.dataPath(op.name)} has no pending version ${op.pendingVersion}`);
    }
    const older = c[K.current] === String(at) ? c[K.previous] : undefined;
    const record = {
      ...cleared(c),
      // custom_metadata values must not be empty: an empty note is left out.
      ...Object.fromEntries(Object.entries(notes).filter(([, v]) => v !== "")),
      [K.current]: op.pendingVersion,
      [K.currentRun]: c[K.pendingRun] ?? this.host.runTag(op.runId),
      // What `rollback --run` checks to know the run wrote the current version.
      "last-run": this.host.runTag(op.runId),
      [K.previous]: String(at),
      [K.grace]: op.graceUntil.toISOString(),
      [K.pending]: null,
      [K.pendingRun]: null,
    };
    const after = Object.keys({ ...c, ...record }).filter((k) => (record as Record<string, string | null>)[k] !== null);
    if (after.length > MAX_KEYS) {
      throw new CliError("VAULT_METADATA_FULL", `${kv.metadataPath(op.name)} would need ${after.length} custom_metadata keys (Vault allows ${MAX_KEYS})`, {
        exitCode: ExitCode.failed,
        hint: "remove unused custom_metadata keys from the secret",
      });
    }
    await this.patch(op.name, record);
    // The older previous is dropped, as `dropPrevious` would; it no longer has a grace record.
    if (older !== undefined && older !== String(at)) {
      await kv.destroy(op.name, [Number(older)]).catch(() => this.host.notify(`could not destroy version ${older} of ${kv.dataPath(op.name)}`));
    }
  }

  async discardPending(name: string, runId?: string): Promise<boolean> {
    const kv = this.host.kv();
    const meta = await kv.readMeta(name);
    const pv = Number(meta?.custom[K.pending]);
    if (!meta || !(pv > 0) || (runId !== undefined && meta.custom[K.pendingRun] !== this.host.runTag(runId))) return false;
    const written = pv <= meta.current;
    // Destroy first: a marker left by a crash here names a destroyed version, which putPending takes over.
    if (written) await kv.destroy(name, [pv]);
    await this.patch(name, { [K.pending]: null, [K.pendingRun]: null, ...(written ? {} : { [K.head]: null }) });
    return true;
  }

  async dropPrevious(name: string, version: string): Promise<boolean> {
    const kv = this.host.kv();
    const meta = await kv.readMeta(name);
    if (!meta || meta.custom[K.current] !== String(currentOf(meta.current, meta.custom)) || meta.custom[K.previous] !== version) return false;
    await kv.destroy(name, [Number(version)]);
    await this.patch(name, cleared(meta.custom));
    return true;
  }

  async listGrace(): Promise<GraceRecord[]> {
    const kv = this.host.kv();
    const out: GraceRecord[] = [];
    await runPool(await kv.list("", 8), 8, async (name) => {
      const meta = await kv.readMeta(name);
      const c = meta?.custom ?? {};
      const graceUntil = dateOf(c[K.grace]);
      const previousVersion = c[K.previous];
      if (!meta || !graceUntil || !previousVersion || c[K.current] !== String(currentOf(meta.current, c))) return;
      out.push({ name, previousVersion, graceUntil, notes: decodeNotes(c, NOTE) });
    });
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private async version(name: string, version: number, runId?: string): Promise<RotationVersion | undefined> {
    const value = fieldOf(await this.host.kv().readVersion(name, version), this.host.field);
    return value === undefined ? undefined : { version: String(version), value, ...(runId ? { runId } : {}) };
  }

  /** JSON merge patch of custom_metadata: `null` removes a key. */
  private async patch(name: string, custom: Record<string, string | null>): Promise<void> {
    const kv = this.host.kv();
    try {
      await kv.patchMeta(name, { custom_metadata: custom });
    } catch (error) {
      if (!isHttpError(error)) throw error;
      const said = serverMessage(error.errors);
      throw new CliError("VAULT_METADATA_FAILED", `Vault answered ${error.status} to patch on ${kv.metadataPath(name)}${said ? `: ${said}` : ""}`, {
        exitCode: ExitCode.failed,
        hint:
          error.status === 403
            ? `rotation records its versions in custom_metadata: the token needs the patch capability on ${kv.metadataPath(name)}`
            : undefined,
      });
    }
  }
}

/** The grace record (previous version, grace end, notes), as removals. */
function cleared(c: Custom): Record<string, null> {
  const keys = Object.keys(c).filter((k) => k === K.previous || k === K.grace || k.startsWith(NOTE));
  return Object.fromEntries(keys.map((k) => [k, null]));
}

function dateOf(text: string | undefined): Date | undefined {
  const date = text === undefined ? undefined : new Date(text);
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

const notFound = (kv: KvClient, name: string) =>
  new CliError("SECRET_NOT_FOUND", `${kv.dataPath(name)} does not exist (or its current version is deleted)`, {
    exitCode: ExitCode.failed,
    hint: "rotation replaces an existing secret: migrate it first",
  });
