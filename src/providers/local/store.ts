import { dirname, resolve } from "node:path";
import { ensurePrivateDir } from "../../core/atomic-file.js";
import { noKeyError, open, seal } from "../../core/crypto.js";
import { acquireLock } from "../../core/lock.js";
import type { StoreLedger } from "../../core/state-journal.js";
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
import type { LocalSecret, LocalVersion } from "./document.js";
import { StorePages } from "./pages.js";
import { LocalRotation, type LocalSecrets } from "./rotation.js";

const aad = (name: string, version: string) => `store:${name}:${version}`;
const NAME_RULE = /^[A-Za-z0-9_.\-/@+=:]{1,512}$/;

/**
 * One file, values sealed one by one, held as an index of where each secret lies (`pages.ts`); each
 * batch (`flush`) appends the secrets it changed. Writes go to the file as read under the store lock,
 * so compare-and-set sees it as it is, not as it was while planning.
 */
export class LocalStore implements SecretStore {
  readonly name = "local" as const;
  readonly batched = true;
  readonly versioned = true;
  readonly defaultConcurrency = 1;
  readonly stats: ProviderStats = { apiCalls: 0 };
  private pages: StorePages | undefined;
  private locked = false;
  /** Secrets changed since the last save (null: deleted): the next line. */
  private readonly changed = new Map<string, LocalSecret | null>();
  /** The last batch's reads, which its writes change: a batched run reads once per batch. */
  private recent = new Map<string, LocalSecret>();
  private release: (() => Promise<void>) | undefined;
  private digester: ((name: string, value: string) => string) | undefined;
  readonly rotation = new LocalRotation({
    get: (name) => this.secret(name),
    all: () => this.all(),
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
    /** Bytes below which the file is never rewritten (tests make it small). */
    private readonly compactAt?: number,
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
    this.recent = await this.secrets(names);
    const out = new Map<string, CurrentSecret>();
    for (const [name, secret] of this.recent) {
      const current = this.reveal(name, secret, "current");
      if (current) out.set(name, current);
    }
    return out;
  }

  async list(prefix: string, unless?: (name: string) => boolean): Promise<string[]> {
    const pages = await this.open();
    // A read-only command has no changes: a million names are then sorted in place, never copied.
    if (this.changed.size === 0) return pages.names(prefix, unless).sort();
    const names = new Set(pages.names(prefix));
    for (const [name, secret] of this.changed) {
      if (secret?.labels.current !== undefined && name.startsWith(prefix)) names.add(name);
      else names.delete(name);
    }
    return [...names].sort();
  }

  /** The value is decrypted only when read: a plan that finds it unchanged by its digest never opens it. */
  private reveal(name: string, secret: LocalSecret, label: "current" | "previous" | "pending"): CurrentSecret | undefined {
    const version = secret.labels[label];
    const entry = version === undefined ? undefined : secret.versions[version];
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
    const existing = await this.staged(op.name);
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
    this.changed.set(op.name, secret);
    return { version };
  }

  async revert(op: RevertOp): Promise<RevertOutcome> {
    const secret = await this.staged(op.name);
    const current = secret?.labels.current;
    if (!op.prior.existed) {
      if (!secret || current === undefined) return "already";
      if (secret.versions[current]?.runId !== op.runId) return "changed-since";
      this.changed.set(op.name, null);
      return "reverted";
    }
    if (secret && current === op.prior.version) return "already";
    if (!secret || current === undefined || secret.versions[current]?.runId !== op.runId) return "changed-since";
    this.changed.set(op.name, secret);
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
    if (this.locked && this.changed.size > 0) await this.save();
  }

  async close(): Promise<void> {
    this.changed.clear();
    this.recent = new Map();
    const pages = this.pages;
    this.pages = undefined;
    this.locked = false;
    await pages?.close();
    const release = this.release;
    this.release = undefined;
    if (release) await release();
  }

  /** Kept only once it is on disk: a failed change or save puts the secret back as it was. */
  private async commit<T>(name: string, change: (doc: LocalSecrets) => T): Promise<T> {
    await this.stage();
    const before = this.changed.get(name);
    const secret = await this.secret(name);
    const doc: LocalSecrets = { secrets: Object.create(null) };
    if (secret) doc.secrets[name] = structuredClone(secret);
    try {
      const result = change(doc);
      this.changed.set(name, doc.secrets[name] ?? null);
      await this.save();
      this.recent.delete(name);
      return result;
    } catch (e) {
      if (before === undefined) this.changed.delete(name);
      else this.changed.set(name, before);
      throw e;
    }
  }

  private async save(): Promise<void> {
    const pages = await this.stage();
    const sealed = await pages.save(this.changed);
    this.changed.clear();
    await this.ledger?.record(this.path, sealed);
  }

  /** As this run last wrote it, else as the file holds it. */
  private async secret(name: string): Promise<LocalSecret | undefined> {
    if (this.changed.has(name)) return this.changed.get(name) ?? undefined;
    return this.recent.get(name) ?? (await (await this.open()).get([name])).get(name);
  }

  private async secrets(names: readonly string[]): Promise<Map<string, LocalSecret>> {
    const pages = await this.open();
    const out = await pages.get(names.filter((n) => !this.changed.has(n)));
    for (const name of names) {
      const mine = this.changed.get(name);
      if (mine) out.set(name, mine);
    }
    return out;
  }

  private async *all(): AsyncGenerator<[string, LocalSecret]> {
    for await (const entry of (await this.open()).all()) if (!this.changed.has(entry[0])) yield entry;
    for (const [name, secret] of this.changed) if (secret) yield [name, secret];
  }

  /** For a write: the secret under the store lock. */
  private async staged(name: string): Promise<LocalSecret | undefined> {
    await this.stage();
    return this.secret(name);
  }

  private async open(): Promise<StorePages> {
    if (!this.pages) {
      this.pages = await StorePages.open(this.path, this.key, this.compactAt);
      await this.ledger?.check(this.path, this.pages.seal);
    }
    return this.pages;
  }

  /** Takes the store lock, and reads the file again if anyone wrote it since this run read it. */
  private async stage(): Promise<StorePages> {
    if (!this.locked) {
      this.requireKey();
      await ensurePrivateDir(dirname(this.path));
      this.release = await acquireLock(`${this.path}.lock`);
      this.locked = true;
      if (this.pages && !(await this.pages.unchanged())) {
        await this.pages.close();
        this.pages = undefined;
        this.recent = new Map();
      }
    }
    return this.open();
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
