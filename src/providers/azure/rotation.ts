import type { AdaptiveLimiter } from "../../core/adaptive-limiter.js";
import { CliError, ExitCode } from "../../core/errors.js";
import type { GraceRecord, PendingRecord, PromoteOp, RotatingStore, RotationLabels, RotationVersion } from "../../rotation/types.js";
import { pendingNameOf } from "../shared/pending-names.js";
import { decodeNotes, encodeNotes } from "../shared/rotation-notes.js";
import { ConflictError } from "../types.js";
import type { KeyVaultApi, VaultSecret } from "./client.js";
import { statusOf, toCliError } from "./errors.js";
import { nameOf, runTags, TAG_RUN, toVaultName } from "./names.js";
import type { AzureReader } from "./read.js";

export interface AzureRotationHost {
  readonly api: KeyVaultApi;
  readonly reader: AzureReader;
  readonly writes: AdaptiveLimiter;
  readonly vaultUrl: string;
}

const GRACE_UNTIL = "secretshift-grace-until";
const GRACE_VERSION = "secretshift-previous-version";
const NOTE = "secretshift-note-";
const P = { role: "secretshift-role", target: "secretshift-target", replaces: "secretshift-replaces" } as const;
const MAX_TAGS = 15;
const MAX_NAME = 127;

interface Pending {
  readonly version: string;
  readonly value: string;
  readonly run: string;
  readonly replaces: string;
}

/**
 * The pending value waits as a version of the sibling `secretshift-pending--<name>`. Promotion is
 * one SetSecret with the grace record in the new version's tags, so both land together. Key Vault
 * soft-deletes whole secrets, so the sibling stays and a finished pending version is disabled.
 */
export class AzureRotation implements RotatingStore {
  constructor(private readonly host: AzureRotationHost) {}

  async readLabels(name: string): Promise<RotationLabels | undefined> {
    const [current, pending] = await Promise.all([this.host.reader.find(toVaultName(name)), this.pending(name)]);
    if (!current) return undefined;
    const t = current.tags;
    const previous = t[GRACE_VERSION] ? await this.version(toVaultName(name), t[GRACE_VERSION]) : undefined;
    const graceUntil = previous ? dateOf(t[GRACE_UNTIL]) : undefined;
    const runId = t[TAG_RUN];
    return {
      current: { version: current.version, value: current.value, ...(runId ? { runId } : {}) },
      ...(previous ? { previous } : {}),
      ...(pending ? { pending: { version: pending.version, value: pending.value, runId: pending.run } } : {}),
      ...(graceUntil ? { graceUntil } : {}),
      notes: previous ? decodeNotes(t, NOTE) : {},
    };
  }

  async putPending(name: string, value: string, runId: string): Promise<string> {
    const sibling = siblingOf(name);
    if (sibling.length > MAX_NAME) {
      throw new CliError("AZURE_NAME_TOO_LONG", `${name} cannot be rotated: its pending value would need the name ${sibling} (over ${MAX_NAME} characters)`, {
        exitCode: ExitCode.failed,
      });
    }
    const current = await this.host.reader.find(toVaultName(name));
    if (!current) throw notFound(name);
    const existing = await this.pending(name);
    if (existing?.run === runId) return existing.version;
    if (existing && existing.value !== current.value) {
      throw new ConflictError(name, `${name} already has a pending value (${sibling}) from run ${existing.run}`);
    }
    // A promotion that died before disabling its pending version left it; it is current already.
    if (existing) await this.disable(sibling, existing.version, name);
    const tags = { ...runTags(pendingNameOf(name), runId), [P.role]: "pending", [P.target]: name, [P.replaces]: current.version };
    try {
      return (await this.host.writes.run(() => this.host.api.set(sibling, value, tags))).version;
    } catch (e) {
      const hint = statusOf(e) === 409 ? ` (${sibling} is soft-deleted: purge or recover it)` : "";
      throw toCliError(e, { op: `SetSecret${hint}`, name: sibling, value, vaultUrl: this.host.vaultUrl });
    }
  }

  async promote(op: PromoteOp): Promise<string> {
    const notes = encodeNotes(op.notes, NOTE, { key: 256, value: 256, where: "an Azure Key Vault tag" });
    const stored = toVaultName(op.name);
    const [current, pending] = await Promise.all([this.host.reader.find(stored), this.pending(op.name)]);
    if (!current) throw notFound(op.name);
    if (!pending || pending.run !== op.runId || pending.version !== op.pendingVersion) {
      if (!pending && current.tags[TAG_RUN] === op.runId && current.tags[GRACE_VERSION] !== undefined) return current.version;
      throw new ConflictError(op.name, `${op.name} has no pending version ${op.pendingVersion} of this run`);
    }
    let version = current.version;
    if (current.tags[TAG_RUN] !== op.runId || current.value !== pending.value) {
      if (current.version !== pending.replaces) {
        throw new ConflictError(op.name, `${op.name} changed after its pending value was stored (version ${current.version}, expected ${pending.replaces})`);
      }
      const tags = { ...runTags(op.name, op.runId), ...notes, [GRACE_UNTIL]: op.graceUntil.toISOString(), [GRACE_VERSION]: current.version };
      if (Object.keys(tags).length > MAX_TAGS) {
        throw new CliError(
          "ROTATION_NOTE_TOO_LONG",
          `the rotation record of ${op.name} needs ${Object.keys(tags).length} tags (Key Vault allows ${MAX_TAGS})`,
          {
            exitCode: ExitCode.failed,
          },
        );
      }
      version = (await this.call("SetSecret", op.name, () => this.host.api.set(stored, pending.value, tags), pending.value)).version;
      // The version made current here had a previous of its own: out of its grace now.
      const older = current.tags[GRACE_VERSION];
      if (older !== undefined) await this.host.api.update(stored, older, { enabled: false }).catch(() => undefined);
    }
    await this.disable(siblingOf(op.name), pending.version, op.name);
    return version;
  }

  async discardPending(name: string, runId?: string): Promise<boolean> {
    const pending = await this.pending(name);
    if (!pending || (runId !== undefined && pending.run !== runId)) return false;
    await this.disable(siblingOf(name), pending.version, name);
    return true;
  }

  async dropPrevious(name: string, version: string): Promise<boolean> {
    const stored = toVaultName(name);
    const current = await this.host.reader.find(stored);
    if (!current || current.tags[GRACE_VERSION] !== version) return false;
    // Disable first: a crash before the untag leaves a record naming a version no get returns any more.
    await this.disable(stored, version, name);
    const tags = Object.fromEntries(Object.entries(current.tags).filter(([k]) => k !== GRACE_UNTIL && k !== GRACE_VERSION && !k.startsWith(NOTE)));
    await this.call("UpdateSecret", name, () => this.host.api.update(stored, current.version, { tags }));
    return true;
  }

  async listGrace(): Promise<GraceRecord[]> {
    const out: GraceRecord[] = [];
    for (const item of await this.list()) {
      const graceUntil = dateOf(item.tags[GRACE_UNTIL]);
      const previousVersion = item.tags[GRACE_VERSION];
      if (isSibling(item.name) || !graceUntil || !previousVersion) continue;
      out.push({ name: nameOf(item.name, item.tags), previousVersion, graceUntil, notes: decodeNotes(item.tags, NOTE) });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async listPending(): Promise<PendingRecord[]> {
    const out: PendingRecord[] = [];
    for (const item of await this.list()) {
      const target = item.tags[P.target];
      if (!isSibling(item.name) || target === undefined || siblingOf(target).toLowerCase() !== item.name.toLowerCase()) continue;
      const pending = await this.pending(target);
      if (!pending) continue;
      const current = await this.host.reader.find(toVaultName(target));
      out.push({ name: target, version: pending.version, runId: pending.run, promoted: current?.value === pending.value });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private async pending(name: string): Promise<Pending | undefined> {
    // A name too long for a sibling can never have had one.
    if (siblingOf(name).length > MAX_NAME) return undefined;
    const found = await this.readable(siblingOf(name));
    const t = found?.tags ?? {};
    const run = t[TAG_RUN];
    if (!found || t[P.target] !== name || run === undefined) return undefined;
    return { version: found.version, value: found.value, run, replaces: t[P.replaces] ?? "" };
  }

  private async version(stored: string, version: string): Promise<RotationVersion | undefined> {
    const found = await this.readable(stored, version);
    return found ? { version, value: found.value } : undefined;
  }

  /** "Absent" and "disabled" (403 SecretDisabled) alike are nothing there. */
  private async readable(stored: string, version?: string): Promise<VaultSecret | undefined> {
    try {
      return await this.host.api.get(stored, version);
    } catch (e) {
      if (statusOf(e) === 404 || (statusOf(e) === 403 && /disabled secret/i.test(String((e as Error).message)))) return undefined;
      throw toCliError(e, { op: "GetSecret", name: stored, vaultUrl: this.host.vaultUrl });
    }
  }

  private disable(stored: string, version: string, name: string): Promise<void> {
    return this.call("UpdateSecret", name, () => this.host.api.update(stored, version, { enabled: false }));
  }

  private list(): Promise<{ name: string; tags: Readonly<Record<string, string>> }[]> {
    return this.call("GetSecrets", "*", () => this.host.api.list());
  }

  private async call<T>(op: string, name: string, fn: () => Promise<T>, value?: string): Promise<T> {
    try {
      return await this.host.writes.run(fn);
    } catch (e) {
      throw toCliError(e, { op, name, vaultUrl: this.host.vaultUrl, ...(value === undefined ? {} : { value }) });
    }
  }
}

export const siblingOf = (name: string): string => toVaultName(pendingNameOf(name));

const SIBLING_KEY = `${siblingOf("")}`.toLowerCase();
export const isSibling = (stored: string): boolean => stored.toLowerCase().startsWith(SIBLING_KEY);

function dateOf(text: string | undefined): Date | undefined {
  const date = text === undefined ? undefined : new Date(text);
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

const notFound = (name: string) =>
  new CliError("SECRET_NOT_FOUND", `${name} does not exist in Azure Key Vault`, {
    exitCode: ExitCode.failed,
    hint: "rotation replaces an existing secret: migrate it first",
  });
