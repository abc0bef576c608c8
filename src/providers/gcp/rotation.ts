import { CliError, ExitCode } from "../../core/errors.js";
import type { GraceRecord, PendingRecord, PromoteOp, RotatingStore, RotationLabels, RotationVersion } from "../../rotation/types.js";
import { isPendingName } from "../shared/pending-names.js";
import { ConflictError } from "../types.js";
import type { GcpSecret } from "./client.js";
import { statusOf, toCliError } from "./errors.js";
import { fromSecretId, toSecretId } from "./names.js";
import { type GcpPending, type GcpRotationHost, GcpSiblings } from "./sibling.js";

/** In the real secret's annotations; it applies while `current-version` is current. */
const G = {
  current: "secretshift-current-version",
  currentRun: "secretshift-current-run",
  previous: "secretshift-previous-version",
  grace: "secretshift-grace-until",
} as const;
const NOTE = "secretshift-note-";
const ANNOTATION_KEY = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

type Annotations = Readonly<Record<string, string>>;

/**
 * The pending value waits in a sibling secret; promotion is one AddSecretVersion of the real secret,
 * checked right before against the version the pending one replaces (no compare-and-set on
 * versions). Then the grace record, then the sibling is deleted; `promote` completes a crash between.
 */
export class GcpRotation implements RotatingStore {
  private readonly siblings: GcpSiblings;

  constructor(private readonly host: GcpRotationHost) {
    this.siblings = new GcpSiblings(host);
  }

  async readLabels(name: string): Promise<RotationLabels | undefined> {
    const id = toSecretId(name);
    const [meta, current, pending] = await Promise.all([this.host.reader.secret(id), this.host.reader.current(id), this.siblings.read(name)]);
    if (!meta || !current) return undefined;
    const a = meta.annotations;
    const applies = a[G.current] === current.number;
    const previousNumber = applies ? a[G.previous] : undefined;
    const previous = previousNumber ? await this.version(id, previousNumber) : undefined;
    const graceUntil = previous ? dateOf(a[G.grace]) : undefined;
    const runId = applies ? a[G.currentRun] : undefined;
    return {
      current: { version: current.number, value: current.value, ...(runId ? { runId } : {}) },
      ...(previous ? { previous } : {}),
      ...(pending?.value !== undefined ? { pending: { version: pending.version, value: pending.value, runId: pending.run } } : {}),
      ...(graceUntil ? { graceUntil } : {}),
      notes: applies ? notesOf(a) : {},
    };
  }

  async putPending(name: string, value: string, runId: string): Promise<string> {
    const id = toSecretId(name);
    const current = await this.host.reader.current(id);
    if (!current) throw notFound(name);
    const existing = await this.siblings.read(name);
    if (existing?.run === runId && existing.value !== undefined) return existing.version;
    if (existing) {
      // Left by a crash before its value was added, or by a promotion that died before deleting it.
      if (existing.value !== undefined && existing.value !== current.value) {
        throw new ConflictError(name, `${name} already has a pending value (${this.siblings.id(name)}) from run ${existing.run}`);
      }
      await this.siblings.remove(existing, name);
    }
    const [newest] = await this.host.reader.versions(id);
    const version = String(Number(newest?.number ?? current.number) + 1);
    await this.siblings.create(name, value, { run: runId, replaces: current.number, version });
    return version;
  }

  async promote(op: PromoteOp): Promise<string> {
    const notes = annotationNotes(op.notes);
    const id = toSecretId(op.name);
    const [meta, current, pending] = await Promise.all([this.host.reader.secret(id), this.host.reader.current(id), this.siblings.read(op.name)]);
    if (!meta || !current) throw notFound(op.name);
    const a = meta.annotations;
    if (pending?.value === undefined || pending.run !== op.runId || pending.version !== op.pendingVersion) {
      if (!pending && a[G.currentRun] === op.runId && a[G.current] === current.number) return current.number;
      throw new ConflictError(op.name, `${op.name} has no pending version ${op.pendingVersion} of this run`);
    }
    let number = current.number;
    if (current.value !== pending.value) {
      if (current.number !== pending.replaces) {
        throw new ConflictError(op.name, `${op.name} changed after its pending value was stored (version ${current.number}, expected ${pending.replaces})`);
      }
      number = (await this.call("AddSecretVersion", op.name, () => this.host.api.addVersion(id, Buffer.from(pending.value ?? "", "utf8")))).number;
    }
    if (a[G.current] !== number) await this.record(op, meta, pending, number, notes);
    await this.siblings.remove(pending, op.name);
    return number;
  }

  async discardPending(name: string, runId?: string): Promise<boolean> {
    const pending = await this.siblings.read(name);
    if (!pending || (runId !== undefined && pending.run !== runId)) return false;
    await this.siblings.remove(pending, name);
    return pending.value !== undefined;
  }

  async dropPrevious(name: string, version: string): Promise<boolean> {
    const id = toSecretId(name);
    const [meta, current] = await Promise.all([this.host.reader.secret(id), this.host.reader.current(id)]);
    const a = meta?.annotations ?? {};
    if (!meta || !current || a[G.current] !== current.number || a[G.previous] !== version) return false;
    await this.call("DestroySecretVersion", name, () =>
      this.host.api.destroyVersion(id, version, undefined).catch((e) => (statusOf(e) === "FAILED_PRECONDITION" ? undefined : Promise.reject(e))),
    );
    await this.annotate(name, meta, () => withoutGrace(a));
    return true;
  }

  async listGrace(): Promise<GraceRecord[]> {
    const out: GraceRecord[] = [];
    for (const s of await this.host.reader.secrets("")) {
      const a = s.annotations;
      const name = fromSecretId(s.id);
      const graceUntil = dateOf(a[G.grace]);
      const previousVersion = a[G.previous];
      if (isPendingName(name) || !graceUntil || !previousVersion || a[G.current] === undefined) continue;
      const [newest] = await this.host.reader.versions(s.id, "state:ENABLED");
      if (newest?.number === a[G.current]) out.push({ name, previousVersion, graceUntil, notes: notesOf(a) });
    }
    return out.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  }

  async listPending(): Promise<PendingRecord[]> {
    const out: PendingRecord[] = [];
    for (const name of await this.siblings.targets()) {
      const pending = await this.siblings.read(name);
      if (pending?.value === undefined) continue;
      const current = await this.host.reader.current(toSecretId(name));
      out.push({ name, version: pending.version, runId: pending.run, promoted: current?.value === pending.value });
    }
    return out;
  }

  /** An older previous loses its record and is destroyed. */
  private async record(op: PromoteOp, meta: GcpSecret, pending: GcpPending, number: string, notes: Record<string, string>): Promise<void> {
    const older = meta.annotations[G.current] === pending.replaces ? meta.annotations[G.previous] : undefined;
    await this.annotate(op.name, meta, (a) => ({
      ...withoutGrace(a),
      ...notes,
      [G.current]: number,
      [G.currentRun]: op.runId,
      [G.previous]: pending.replaces,
      [G.grace]: op.graceUntil.toISOString(),
    }));
    if (older !== undefined && older !== pending.replaces) {
      await this.host.api.destroyVersion(toSecretId(op.name), older, undefined).catch(() => undefined);
    }
  }

  /** With the secret's etag; read again once if someone changed it meanwhile. */
  private async annotate(name: string, meta: GcpSecret, change: (a: Annotations) => Record<string, string>): Promise<void> {
    const id = toSecretId(name);
    try {
      await this.host.writes.run(() => this.host.api.setAnnotations(id, change(meta.annotations), meta.etag));
    } catch (e) {
      const fresh = statusOf(e) === "ABORTED" ? await this.host.reader.secret(id) : undefined;
      if (!fresh) throw toCliError(e, { op: "UpdateSecret", name, endpoint: this.host.endpoint });
      await this.call("UpdateSecret", name, () => this.host.api.setAnnotations(id, change(fresh.annotations), fresh.etag));
    }
  }

  private async version(id: string, number: string): Promise<RotationVersion | undefined> {
    try {
      return { version: number, value: (await this.host.reader.value(id, number)).value };
    } catch (e) {
      if (statusOf(e) === "NOT_FOUND" || statusOf(e) === "FAILED_PRECONDITION") return undefined;
      throw toCliError(e, { op: "AccessSecretVersion", name: id, endpoint: this.host.endpoint });
    }
  }

  private async call<T>(op: string, name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.host.writes.run(fn);
    } catch (e) {
      throw toCliError(e, { op, name, endpoint: this.host.endpoint });
    }
  }
}

/** Refused before any write when a key cannot be an annotation. */
function annotationNotes(notes: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(notes)) {
    if (!ANNOTATION_KEY.test(`${NOTE}${k}`)) {
      throw new CliError("ROTATION_NOTE_TOO_LONG", `the rotation note "${k}" cannot be a GCP annotation key`, {
        exitCode: ExitCode.failed,
        hint: "annotation keys are at most 63 characters of A-Z a-z 0-9 - _ .",
      });
    }
    if (v !== "") out[`${NOTE}${k}`] = v;
  }
  return out;
}

function notesOf(a: Annotations): Record<string, string> {
  return Object.fromEntries(Object.entries(a).flatMap(([k, v]) => (k.startsWith(NOTE) ? [[k.slice(NOTE.length), v]] : [])));
}

function withoutGrace(a: Annotations): Record<string, string> {
  return Object.fromEntries(Object.entries(a).filter(([k]) => k !== G.previous && k !== G.grace && !k.startsWith(NOTE)));
}

function dateOf(text: string | undefined): Date | undefined {
  const date = text === undefined ? undefined : new Date(text);
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

const notFound = (name: string) =>
  new CliError("SECRET_NOT_FOUND", `${name} does not exist in GCP Secret Manager (or has no enabled version)`, {
    exitCode: ExitCode.failed,
    hint: "rotation replaces an existing secret: migrate it first",
  });
