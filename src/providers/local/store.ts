import { dirname, resolve } from "node:path";
import { ensurePrivateDir } from "../../core/atomic-file.js";
import { noKeyError, open, seal } from "../../core/crypto.js";
import { acquireLock } from "../../core/lock.js";
import type { StoreLedger } from "../../core/state-journal.js";
import type { SealedFile } from "../../core/store-seal.js";
import { writeDigester } from "../../core/write-digest.js";
import type { ProviderContext } from "../shared/context.js";
import {
  ConflictError,
  type CurrentSecret,
  type NameCheck,
  type ProviderStats,
  type RevertOp,
  type RevertOutcome,
  type SecretStore,
  type WriteOp,
  type WriteResult,
} from "../types.js";
import { type LoadedDocument, type LocalDocument, type LocalSecret, type LocalVersion, loadDocument, saveDocument } from "./document.js";
import { LocalRotation } from "./rotation.js";

const aad = (name: string, version: string) => `store:${name}:${version}`;
const NAME_RULE = /^[A-Za-z0-9_.\-/@+=:]{1,512}$/;

/**
 * One file, values sealed one by one; each batch (`flush`) appends the secrets it changed. Writes go to a copy loaded
 * under the store lock, so compare-and-set sees the file as it is, not as it was while planning.
 */
export class LocalStore implements SecretStore {
  readonly name = "local" as const;
  readonly batched = true;
  readonly versioned = true;
  readonly defaultConcurrency = 1;
  readonly stats: ProviderStats = { apiCalls: 0 };
  private staged: LocalDocument | undefined;
  private stagedSeal: SealedFile | undefined;
  /** Names written since the last save: the next patch. */
  private readonly changed = new Set<string>();
  /** Reused by every later read of this run (a batched run reads once per batch). */
  private loaded: LocalDocument | undefined;
  private release: (() => Promise<void>) | undefined;
  private digester: ((name: string, value: string) => string) | undefined;
  readonly rotation = new LocalRotation({
    read: () => this.current(),
    commit: (name, change) => this.commit(name, change),
    open: (name, version, sealed) => open(this.requireKey(), sealed, aad(name, version), `secret ${name} v${version}`).toString("utf8"),
    seal: (name, version, value) => seal(this.requireKey(), value, aad(name, version)),
    now: () => this.now(),
  });

  constructor(
    readonly path: string,
    private readonly key: Buffer | undefined,
    private readonly now: () => Date,
    /** Checks the file is not older than the journal recorded, records each save. */
    private readonly ledger?: StoreLedger,
  ) {}

  checkName(name: string): NameCheck {
    if (NAME_RULE.test(name) && !name.startsWith("/") && !name.includes("//")) return { stored: name };
    return { stored: name, invalid: "local names are 1-512 of A-Za-z0-9 _ . - / @ + = :, with no leading or doubled /" };
  }

  checkValue(value: string): string | undefined {
    return value.length === 0 ? "empty values are not stored" : undefined;
  }

  /** Creates nothing: a dry run or a read of a store that does not exist yet leaves no folder behind. */
  async connect(): Promise<void> {}

  async readMany(names: readonly string[]): Promise<Map<string, CurrentSecret>> {
    const doc = await this.current();
    const out = new Map<string, CurrentSecret>();
    for (const name of names) {
      const current = this.reveal(doc, name, "current");
      if (current) out.set(name, current);
    }
    return out;
  }

  async list(prefix: string): Promise<string[]> {
    const doc = await this.current();
    return Object.keys(doc.secrets)
      .filter((n) => n.startsWith(prefix) && doc.secrets[n]?.labels.current !== undefined)
      .sort();
  }

  /** The value is decrypted only when read: a plan that finds it unchanged by its digest never opens it. */
  reveal(doc: LocalDocument, name: string, label: "current" | "previous" | "pending"): CurrentSecret | undefined {
    const secret = doc.secrets[name];
    const version = secret?.labels[label];
    const entry = version === undefined ? undefined : secret?.versions[version];
    if (!entry || version === undefined) return undefined;
    const key = this.requireKey();
    if (entry.digest === undefined) return new StoredSecret(name, version, entry, key);
    this.digester ??= writeDigester(key);
    return new DigestedSecret(name, version, entry, key, this.digester);
  }

  private digestOf(name: string, value: string): string {
    this.digester ??= writeDigester(this.requireKey());
    return this.digester(name, value);
  }

  async write(op: WriteOp): Promise<WriteResult> {
    const doc = await this.stage();
    const existing = doc.secrets[op.name];
    const currentVersion = existing?.labels.current;
    if (op.kind === "create" && currentVersion !== undefined) throw new ConflictError(op.name, `${op.name} already exists`);
    if (op.kind === "update" && currentVersion !== op.expectedVersion) {
      throw new ConflictError(op.name, `${op.name} changed since it was planned (version ${currentVersion ?? "none"})`);
    }
    const secret: LocalSecret = existing ?? { nextVersion: 1, labels: {}, versions: {} };
    const version = String(secret.nextVersion++);
    const evicted = evict(secret, currentVersion);
    secret.versions[version] = {
      sealed: seal(this.requireKey(), op.value, aad(op.name, version)),
      digest: op.digest ?? this.digestOf(op.name, op.value),
      createdAt: this.now().toISOString(),
      runId: op.runId,
      replaced: { ...secret.labels },
      ...(evicted ? { evicted } : {}),
    };
    secret.labels = { ...secret.labels, current: version, ...(currentVersion === undefined ? {} : { previous: currentVersion }) };
    doc.secrets[op.name] = secret;
    this.changed.add(op.name);
    return { version };
  }

  async revert(op: RevertOp): Promise<RevertOutcome> {
    const doc = await this.stage();
    const secret = doc.secrets[op.name];
    const current = secret?.labels.current;
    if (!op.prior.existed) {
      if (!secret || current === undefined) return "already";
      if (secret.versions[current]?.runId !== op.runId) return "changed-since";
      delete doc.secrets[op.name];
      this.changed.add(op.name);
      return "reverted";
    }
    if (secret && current === op.prior.version) return "already";
    if (!secret || current === undefined || secret.versions[current]?.runId !== op.runId) return "changed-since";
    this.changed.add(op.name);
    const written = secret.versions[current];
    delete secret.versions[current];
    secret.labels = { ...(written?.replaced ?? {}) };
    if (written?.evicted) secret.versions[written.evicted.version] = written.evicted.entry;
    if (op.prior.version !== undefined && !secret.versions[op.prior.version] && op.prior.value !== undefined) {
      // The pre-run version was pruned since: bring its value back from the backup under its old number.
      secret.versions[op.prior.version] = {
        sealed: seal(this.requireKey(), op.prior.value, aad(op.name, op.prior.version)),
        createdAt: this.now().toISOString(),
      };
    }
    return "reverted";
  }

  async flush(): Promise<void> {
    if (this.staged && this.changed.size > 0) await this.save(this.staged);
  }

  async close(): Promise<void> {
    this.staged = undefined;
    this.stagedSeal = undefined;
    this.changed.clear();
    this.loaded = undefined;
    const release = this.release;
    this.release = undefined;
    if (release) await release();
  }

  /** Kept in memory only once it is on disk: a failed change or save puts the secret back as it was. */
  private async commit<T>(name: string, change: (doc: LocalDocument) => T): Promise<T> {
    const doc = await this.stage();
    const before = doc.secrets[name];
    if (before) doc.secrets[name] = structuredClone(before);
    try {
      const result = change(doc);
      this.changed.add(name);
      await this.save(doc);
      return result;
    } catch (e) {
      if (before) doc.secrets[name] = before;
      else delete doc.secrets[name];
      this.changed.delete(name);
      throw e;
    }
  }

  private async save(doc: LocalDocument): Promise<void> {
    this.stagedSeal = await saveDocument(this.path, doc, this.requireKey(), this.stagedSeal, this.changed);
    this.changed.clear();
    await this.ledger?.record(this.path, this.stagedSeal);
  }

  private async load(): Promise<LoadedDocument> {
    const loaded = await loadDocument(this.path, this.key);
    await this.ledger?.check(this.path, loaded.seal);
    return loaded;
  }

  private async current(): Promise<LocalDocument> {
    if (this.staged) return this.staged;
    this.loaded ??= (await this.load()).doc;
    return this.loaded;
  }

  /** Loads the file fresh under the store lock, never from the cached read. */
  async stage(): Promise<LocalDocument> {
    if (!this.staged) {
      this.requireKey();
      await ensurePrivateDir(dirname(this.path));
      this.release = await acquireLock(`${this.path}.lock`);
      const { doc, seal } = await this.load();
      this.staged = doc;
      this.stagedSeal = seal;
      // Reads use the staged copy from now on: the planning copy can go, so the store is held once.
      this.loaded = undefined;
    }
    return this.staged;
  }

  private requireKey(): Buffer {
    if (!this.key) throw noKeyError("the local store needs an encryption key");
    return this.key;
  }
}

/** The old `previous` is dropped so the file does not grow, but kept inside the new version so a revert is exact. */
function evict(secret: LocalSecret, currentVersion: string | undefined): LocalVersion["evicted"] {
  const old = secret.labels.previous;
  if (old === undefined || old === currentVersion || secret.labels.pending === old) return undefined;
  const entry = secret.versions[old];
  delete secret.versions[old];
  if (!entry) return undefined;
  // One level only: older history is in the run backups, and nesting would grow with every write.
  const { evicted: _older, ...flat } = entry;
  return { version: old, entry: flat };
}

export async function createLocalStore(ctx: ProviderContext): Promise<LocalStore> {
  const path = resolve(ctx.options.store ?? resolve(ctx.stateDir, "store.enc"));
  return new LocalStore(path, ctx.key, () => ctx.clock.now(), ctx.ledger);
}

/** One per secret a batch reads: classes, so a hundred thousand of them share their methods instead of each carrying closures. */
class StoredSecret implements CurrentSecret {
  private opened: string | undefined;

  constructor(
    readonly name: string,
    readonly version: string,
    protected readonly entry: LocalVersion,
    private readonly key: Buffer,
  ) {}

  get value(): string {
    this.opened ??= open(this.key, this.entry.sealed, aad(this.name, this.version), `secret ${this.name} v${this.version}`).toString("utf8");
    return this.opened;
  }
}

class DigestedSecret extends StoredSecret {
  constructor(
    name: string,
    version: string,
    entry: LocalVersion,
    key: Buffer,
    private readonly digestOf: (name: string, value: string) => string,
  ) {
    super(name, version, entry, key);
  }

  matches(candidate: string): boolean {
    return this.digestOf(this.name, candidate) === this.entry.digest;
  }
}
