import { describeError } from "../../core/describe-error.js";
import { pendingNameOf } from "../shared/pending-names.js";
import { ConflictError } from "../types.js";
import { isCasMismatch, type KvClient } from "./kv.js";

export interface Sibling {
  readonly value: string;
  readonly run: string;
  readonly target: string;
  /** Its check-and-set: the new version is this + 1. */
  readonly replaces: number;
}

interface SiblingHost {
  kv(): KvClient;
  notify(message: string): void;
}

/** `secretshift-pending/<name>`: value, run and replaced version in one write, so they never disagree. */
export class SiblingPaths {
  constructor(private readonly host: SiblingHost) {}

  path(name: string): string {
    return pendingNameOf(name);
  }

  async read(name: string): Promise<Sibling | undefined> {
    const data = (await this.host.kv().readLatest(this.path(name)))?.data;
    const replaces = Number(data?.replaces);
    const { value, run, target } = data ?? {};
    if (typeof value !== "string" || typeof run !== "string" || target !== name || !Number.isInteger(replaces) || replaces < 1) return undefined;
    return { value, run, target, replaces };
  }

  /** A crash may have left metadata alone. */
  async owner(name: string): Promise<{ run: string; stored: boolean } | undefined> {
    const meta = await this.host.kv().readMeta(this.path(name));
    if (!meta) return undefined;
    const sibling = await this.read(name);
    return { run: sibling?.run ?? meta.custom["pending-run"] ?? "", stored: sibling !== undefined };
  }

  async write(name: string, sibling: Sibling): Promise<void> {
    const kv = this.host.kv();
    const path = this.path(name);
    try {
      await kv.write(path, { ...sibling }, "create", 0);
    } catch (error) {
      if (!isCasMismatch(error)) throw error;
      // Our own earlier attempt (a retried request) landing is fine; anything else is another rotation's.
      const there = await this.read(name);
      if (there?.run !== sibling.run || there.value !== sibling.value) {
        throw new ConflictError(name, `${kv.dataPath(path)} was written by another rotation (run ${there?.run ?? "unknown"}) meanwhile`);
      }
    }
    try {
      await kv.patchMeta(path, { custom_metadata: { "managed-by": "secretshift", "pending-run": sibling.run, target: name } });
    } catch (error) {
      this.host.notify(`could not record custom_metadata on ${kv.metadataPath(path)}: ${describeError(error)}`);
    }
  }

  async remove(name: string): Promise<void> {
    await this.host.kv().remove(this.path(name));
  }
}
