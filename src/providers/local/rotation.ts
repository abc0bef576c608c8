import { CliError, ExitCode } from "../../core/errors.js";
import type { GraceRecord, PromoteOp, RotatingStore, RotationLabels, RotationVersion } from "../../rotation/types.js";
import { ConflictError } from "../types.js";
import type { LocalLabel, LocalSecret } from "./document.js";

/** The one secret a change may touch, under its name (absent: it does not exist, or the change deletes it). */
export interface LocalSecrets {
  secrets: Record<string, LocalSecret>;
}

export interface LocalRotationHost {
  get(name: string): Promise<LocalSecret | undefined>;
  all(): AsyncIterable<[string, LocalSecret]>;
  /** Changes the one secret `name`; the change is kept only once it is on disk. */
  commit<T>(name: string, change: (doc: LocalSecrets) => T): Promise<T>;
  open(name: string, version: string, sealed: string): string;
  seal(name: string, version: string, value: string): string;
  now(): Date;
}

const GRACE_UNTIL = "grace-until";
const GRACE_VERSION = "grace-version";
const NOTE = "note:";

/** The grace record names its version, so a `previous` brought back by rollback is never taken for an expired one. */
export class LocalRotation implements RotatingStore {
  constructor(private readonly host: LocalRotationHost) {}

  async readLabels(name: string): Promise<RotationLabels | undefined> {
    const secret = await this.host.get(name);
    const current = secret && this.version(name, secret, "current");
    if (!secret || !current) return undefined;
    const previous = this.version(name, secret, "previous");
    const pending = this.version(name, secret, "pending");
    const graceUntil = graceOf(secret);
    return { current, ...(previous ? { previous } : {}), ...(pending ? { pending } : {}), ...(graceUntil ? { graceUntil } : {}), notes: notesOf(secret) };
  }

  putPending(name: string, value: string, runId: string): Promise<string> {
    return this.host.commit(name, (doc) => {
      const secret = doc.secrets[name];
      if (!secret || secret.labels.current === undefined) throw notFound(name);
      const pending = secret.labels.pending;
      if (pending !== undefined) {
        if (secret.versions[pending]?.runId === runId) return pending;
        throw new ConflictError(name, `${name} already has a pending version from run ${secret.versions[pending]?.runId ?? "unknown"}`);
      }
      const version = String(secret.nextVersion++);
      secret.versions[version] = { sealed: this.host.seal(name, version, value), createdAt: this.host.now().toISOString(), runId };
      secret.labels.pending = version;
      return version;
    });
  }

  async promote(op: PromoteOp): Promise<string> {
    await this.host.commit(op.name, (doc) => {
      const secret = doc.secrets[op.name];
      if (!secret) throw notFound(op.name);
      if (secret.labels.current === op.pendingVersion) return;
      const entry = secret.versions[op.pendingVersion];
      if (secret.labels.pending !== op.pendingVersion || !entry) throw new ConflictError(op.name, `${op.name} has no pending version ${op.pendingVersion}`);
      const { current, previous } = secret.labels;
      // Same bookkeeping as a migrate write, so `rollback --run <rotation>` undoes it exactly.
      entry.replaced = { ...(current ? { current } : {}), ...(previous ? { previous } : {}) };
      const old = previous !== undefined && previous !== current ? secret.versions[previous] : undefined;
      if (previous !== undefined && old) {
        const { evicted: _older, ...flat } = old;
        entry.evicted = { version: previous, entry: flat };
        delete secret.versions[previous];
      }
      secret.labels = { current: op.pendingVersion, ...(current ? { previous: current } : {}) };
      const meta = withoutRotation(secret.meta);
      if (current) Object.assign(meta, { [GRACE_UNTIL]: op.graceUntil.toISOString(), [GRACE_VERSION]: current });
      for (const [k, v] of Object.entries(op.notes)) meta[`${NOTE}${k}`] = v;
      secret.meta = meta;
    });
    return op.pendingVersion;
  }

  discardPending(name: string, runId?: string): Promise<boolean> {
    return this.host.commit(name, (doc) => {
      const secret = doc.secrets[name];
      const pending = secret?.labels.pending;
      if (!secret || pending === undefined) return false;
      if (runId !== undefined && secret.versions[pending]?.runId !== runId) return false;
      delete secret.labels.pending;
      if (secret.labels.current !== pending && secret.labels.previous !== pending) delete secret.versions[pending];
      return true;
    });
  }

  dropPrevious(name: string, version: string): Promise<boolean> {
    return this.host.commit(name, (doc) => {
      const secret = doc.secrets[name];
      if (!secret || secret.labels.previous !== version) return false;
      delete secret.labels.previous;
      if (secret.labels.current !== version && secret.labels.pending !== version) delete secret.versions[version];
      secret.meta = withoutRotation(secret.meta);
      return true;
    });
  }

  async listGrace(): Promise<GraceRecord[]> {
    const out: GraceRecord[] = [];
    for await (const [name, secret] of this.host.all()) {
      const graceUntil = graceOf(secret);
      const previous = secret.labels.previous;
      if (graceUntil && previous !== undefined) out.push({ name, previousVersion: previous, graceUntil, notes: notesOf(secret) });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private version(name: string, secret: LocalSecret, label: LocalLabel): RotationVersion | undefined {
    const version = secret.labels[label];
    const entry = version === undefined ? undefined : secret.versions[version];
    if (version === undefined || !entry) return undefined;
    return { version, value: this.host.open(name, version, entry.sealed), ...(entry.runId ? { runId: entry.runId } : {}) };
  }
}

function graceOf(secret: LocalSecret): Date | undefined {
  const until = secret.meta?.[GRACE_UNTIL];
  if (until === undefined || secret.meta?.[GRACE_VERSION] !== secret.labels.previous) return undefined;
  const date = new Date(until);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function notesOf(secret: LocalSecret): Record<string, string> {
  const notes: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.meta ?? {})) if (k.startsWith(NOTE)) notes[k.slice(NOTE.length)] = v;
  return notes;
}

function withoutRotation(meta: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(meta ?? {}).filter(([k]) => k !== GRACE_UNTIL && k !== GRACE_VERSION && !k.startsWith(NOTE)));
}

const notFound = (name: string) =>
  new CliError("SECRET_NOT_FOUND", `${name} does not exist in the local store`, {
    exitCode: ExitCode.failed,
    hint: "rotation replaces an existing secret: migrate it first",
  });
