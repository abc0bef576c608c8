import { CliError, ExitCode } from "../../core/errors.js";
import { runPool } from "../../core/pool.js";
import type { GraceRecord, PendingRecord, PromoteOp, RotatingStore, RotationLabels, RotationVersion } from "../../rotation/types.js";
import { PENDING_ROOT } from "../shared/pending-names.js";
import { decodeNotes, encodeNotes } from "../shared/rotation-notes.js";
import { ConflictError } from "../types.js";
import { isHttpError, serverMessage } from "./errors.js";
import { fieldOf, isCasMismatch, type KvClient } from "./kv.js";
import { type Sibling, SiblingPaths } from "./sibling.js";

/** The grace record; it applies only while `current-version` is the latest, so any later write voids it. */
const K = {
  current: "current-version",
  currentRun: "current-run",
  previous: "previous-version",
  grace: "grace-until",
} as const;
const NOTE = "note:";
const MAX_KEYS = 64;
const codeOf = (e: unknown): string | undefined => (e instanceof CliError ? e.code : undefined);

export const KV1_CANNOT_ROTATE = "Vault KV v1 keeps no versions, so it cannot hold a pending or a previous value: rotation (and --grace-period) needs KV v2";

type Custom = Readonly<Record<string, string>>;

export interface VaultRotationHost {
  kv(): KvClient;
  readonly field: string;
  runTag(runId: string): string;
  notify(message: string): void;
}

/**
 * `GET <mount>/data/<name>` returns the latest version, so the pending value waits at the sibling
 * path `secretshift-pending/<name>` and promotion is one check-and-set write of the real key. Then
 * the grace record, then the sibling is deleted; `promote` completes a crash between any two.
 */
export class VaultRotation implements RotatingStore {
  private readonly siblings: SiblingPaths;

  constructor(private readonly host: VaultRotationHost) {
    this.siblings = new SiblingPaths(host);
  }

  async readLabels(name: string): Promise<RotationLabels | undefined> {
    const kv = this.host.kv();
    // `get` needs no read on the pending path; a rotation without it fails at its first write there.
    const pendingOf = this.siblings.read(name).catch((e) => (codeOf(e) === "VAULT_PERMISSION_DENIED" ? undefined : Promise.reject(e)));
    const [meta, sibling] = await Promise.all([kv.readMeta(name), pendingOf]);
    if (!meta || meta.current === 0) return undefined;
    const c = meta.custom;
    const applies = c[K.current] === String(meta.current);
    const current = await this.version(name, meta.current, applies ? c[K.currentRun] : undefined);
    if (!current) return undefined;
    const previous = applies && c[K.previous] ? await this.version(name, Number(c[K.previous])) : undefined;
    const graceUntil = previous ? dateOf(c[K.grace]) : undefined;
    const notes = applies ? decodeNotes(c, NOTE) : {};
    const pending = sibling ? { version: String(sibling.replaces + 1), value: sibling.value, runId: sibling.run } : undefined;
    return { current, ...(previous ? { previous } : {}), ...(pending ? { pending } : {}), ...(graceUntil ? { graceUntil } : {}), notes };
  }

  async putPending(name: string, value: string, runId: string): Promise<string> {
    const kv = this.host.kv();
    const meta = await kv.readMeta(name);
    const current = meta && meta.current > 0 ? fieldOf(await kv.readVersion(name, meta.current), this.host.field) : undefined;
    if (!meta || current === undefined) throw notFound(kv, name);
    const tag = this.host.runTag(runId);
    const existing = await this.siblings.read(name);
    if (existing?.run === tag) return String(existing.replaces + 1);
    if (existing && existing.value !== current) {
      throw new ConflictError(name, `${kv.dataPath(name)} already has a pending value (at ${kv.dataPath(this.siblings.path(name))}) from run ${existing.run}`);
    }
    // A leftover whose value is already current is what a promotion that died before deleting it left.
    if (existing) await this.siblings.remove(name);
    await this.siblings.write(name, { value, run: tag, target: name, replaces: meta.current });
    return String(meta.current + 1);
  }

  async promote(op: PromoteOp): Promise<string> {
    const notes = encodeNotes(op.notes, NOTE, { key: 128, value: 512, where: "Vault custom_metadata" });
    const kv = this.host.kv();
    const tag = this.host.runTag(op.runId);
    const [meta, sibling] = await Promise.all([kv.readMeta(op.name), this.siblings.read(op.name)]);
    if (!meta) throw notFound(kv, op.name);
    const c = meta.custom;
    if (!sibling || sibling.run !== tag || String(sibling.replaces + 1) !== op.pendingVersion) {
      if (!sibling && c[K.current] === String(meta.current) && c[K.currentRun] === tag && String(meta.current) === op.pendingVersion) return op.pendingVersion;
      throw new ConflictError(op.name, `${kv.dataPath(op.name)} has no pending version ${op.pendingVersion} of this run`);
    }
    const target = sibling.replaces + 1;
    const record = this.record(op, c, notes, sibling, tag);
    const written = meta.current === target && fieldOf(await kv.readVersion(op.name, target), this.host.field) === sibling.value;
    if (!written) await this.writeReal(op.name, sibling, meta.current);
    if (c[K.current] !== String(target)) {
      await this.patch(op.name, record);
      // The older previous has no grace record any more: dropped, as `dropPrevious` would.
      const older = c[K.current] === String(sibling.replaces) ? c[K.previous] : undefined;
      if (older !== undefined && older !== String(sibling.replaces)) {
        await kv.destroy(op.name, [Number(older)]).catch(() => this.host.notify(`could not destroy version ${older} of ${kv.dataPath(op.name)}`));
      }
    }
    await this.siblings.remove(op.name);
    return String(target);
  }

  async discardPending(name: string, runId?: string): Promise<boolean> {
    const owner = await this.siblings.owner(name);
    if (owner === undefined || (runId !== undefined && owner.run !== this.host.runTag(runId))) return false;
    await this.siblings.remove(name);
    return owner.stored;
  }

  async dropPrevious(name: string, version: string): Promise<boolean> {
    const kv = this.host.kv();
    const meta = await kv.readMeta(name);
    if (!meta || meta.custom[K.current] !== String(meta.current) || meta.custom[K.previous] !== version) return false;
    await kv.destroy(name, [Number(version)]);
    await this.patch(name, cleared(meta.custom));
    return true;
  }

  async listGrace(): Promise<GraceRecord[]> {
    const kv = this.host.kv();
    const out: GraceRecord[] = [];
    const names = await kv.list("", 8, `${PENDING_ROOT}/`);
    await runPool(names, 8, async (name) => {
      const meta = await kv.readMeta(name);
      const c = meta?.custom ?? {};
      const graceUntil = dateOf(c[K.grace]);
      const previousVersion = c[K.previous];
      if (!meta || !graceUntil || !previousVersion || c[K.current] !== String(meta.current)) return;
      out.push({ name, previousVersion, graceUntil, notes: decodeNotes(c, NOTE) });
    });
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async listPending(): Promise<PendingRecord[]> {
    const kv = this.host.kv();
    const out: PendingRecord[] = [];
    const paths = await kv.list(`${PENDING_ROOT}/`, 8);
    await runPool(paths, 8, async (path) => {
      const name = path.slice(PENDING_ROOT.length + 1);
      const sibling = await this.siblings.read(name);
      if (!sibling) return;
      const latest = await kv.readLatest(name);
      const promoted = fieldOf(latest?.data, this.host.field) === sibling.value;
      out.push({ name, version: String(sibling.replaces + 1), runId: sibling.run, promoted });
    });
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private async writeReal(name: string, sibling: Sibling, latest: number): Promise<void> {
    const kv = this.host.kv();
    const changed = () =>
      new ConflictError(name, `${kv.dataPath(name)} changed after its pending value was stored (version ${latest}, expected ${sibling.replaces})`);
    if (latest !== sibling.replaces) throw changed();
    const data = (await kv.readVersion(name, sibling.replaces)) ?? {};
    try {
      await kv.write(name, { ...data, [this.host.field]: sibling.value }, "update", sibling.replaces);
    } catch (error) {
      if (!isCasMismatch(error)) throw error;
      // After a retried (ambiguous) attempt, the mismatch may be our own first attempt landing.
      const landed = (error as { attempts?: number }).attempts ?? 1;
      if (landed < 2 || fieldOf(await kv.readVersion(name, sibling.replaces + 1), this.host.field) !== sibling.value) throw changed();
    }
  }

  /** Checked before any write. */
  private record(op: PromoteOp, c: Custom, notes: Record<string, string>, sibling: Sibling, tag: string): Record<string, string | null> {
    const kv = this.host.kv();
    const record = {
      ...cleared(c),
      ...Object.fromEntries(Object.entries(notes).filter(([, v]) => v !== "")),
      [K.current]: String(sibling.replaces + 1),
      [K.currentRun]: tag,
      // What `rollback --run` checks to know the run wrote the current version.
      "last-run": tag,
      [K.previous]: String(sibling.replaces),
      [K.grace]: op.graceUntil.toISOString(),
    };
    const after = Object.keys({ ...c, ...record }).filter((k) => (record as Record<string, string | null>)[k] !== null);
    if (after.length > MAX_KEYS) {
      throw new CliError("VAULT_METADATA_FULL", `${kv.metadataPath(op.name)} would need ${after.length} custom_metadata keys (Vault allows ${MAX_KEYS})`, {
        exitCode: ExitCode.failed,
        hint: "remove unused custom_metadata keys from the secret",
      });
    }
    return record;
  }

  private async version(name: string, version: number, runId?: string): Promise<RotationVersion | undefined> {
    const value = fieldOf(await this.host.kv().readVersion(name, version), this.host.field);
    return value === undefined ? undefined : { version: String(version), value, ...(runId ? { runId } : {}) };
  }

  /** JSON merge patch: `null` removes a key. */
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
