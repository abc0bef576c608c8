import { createHash } from "node:crypto";
import type { AdaptiveLimiter } from "../../core/adaptive-limiter.js";
import { CliError, ExitCode } from "../../core/errors.js";
import type { GraceRecord, PromoteOp, RotatingStore, RotationLabels, RotationVersion } from "../../rotation/types.js";
import { decodeNotes, encodeNotes } from "../shared/rotation-notes.js";
import { ConflictError } from "../types.js";
import type { SecretsManagerApi } from "./client.js";
import { errorName, toCliError } from "./errors.js";
import { CURRENT } from "./read.js";

const PENDING = "AWSPENDING";
const PREVIOUS = "AWSPREVIOUS";
const GRACE_UNTIL = "secretshift:grace-until";
const GRACE_VERSION = "secretshift:grace-version";
const NOTE = "secretshift:note:";
const RUN_ID = /^[A-Za-z0-9-]{1,40}$/;

/** `<runId>-r<hash>`: the same run asks for the same version, and `runOfVersion` reads the run back. */
export function rotationToken(runId: string, name: string): string {
  const h = createHash("sha256").update(`secretshift rotate\0${runId}\0${name}`).digest("hex");
  if (!RUN_ID.test(runId)) return h.slice(0, 48);
  return `${runId}-r${h.slice(0, Math.max(12, 30 - runId.length))}`;
}

export function runOfVersion(versionId: string, name: string): string | undefined {
  const cut = versionId.lastIndexOf("-r");
  const runId = cut > 0 ? versionId.slice(0, cut) : "";
  return runId !== "" && rotationToken(runId, name) === versionId ? runId : undefined;
}

export interface AwsRotationHost {
  readonly api: SecretsManagerApi;
  readonly writes: AdaptiveLimiter;
  readonly reads: AdaptiveLimiter;
  readonly endpoint: string | undefined;
}

interface Labelled {
  readonly holders: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Promotion moves AWSCURRENT, writes the grace record, then removes AWSPENDING: last, so after a
 * crash it still marks a promotion to finish, which a re-run's `promote` completes.
 */
export class AwsRotation implements RotatingStore {
  constructor(private readonly host: AwsRotationHost) {}

  async readLabels(name: string): Promise<RotationLabels | undefined> {
    const s = await this.describe(name);
    const id = s?.holders[CURRENT];
    if (!s || id === undefined) return undefined;
    const { [PREVIOUS]: prev, [PENDING]: pend } = s.holders;
    const [current, previous, pending] = await Promise.all([
      this.version(name, id),
      prev === undefined ? undefined : this.version(name, prev),
      pend === undefined ? undefined : this.version(name, pend),
    ]);
    if (!current) return undefined;
    const graceUntil = previous ? graceOf(s) : undefined;
    return {
      current,
      ...(previous ? { previous } : {}),
      ...(pending ? { pending } : {}),
      ...(graceUntil ? { graceUntil } : {}),
      notes: decodeNotes(s.tags, NOTE),
    };
  }

  async putPending(name: string, value: string, runId: string): Promise<string> {
    const s = await this.describe(name);
    if (s?.holders[CURRENT] === undefined) throw notFound(name);
    const token = rotationToken(runId, name);
    let pending = s.holders[PENDING];
    if (pending === token || (pending === undefined && s.holders[CURRENT] === token)) return token;
    if (pending !== undefined && pending === s.holders[CURRENT]) {
      // A promotion that died before removing AWSPENDING from the version it made current.
      await this.stage(name, PENDING, { RemoveFromVersionId: pending });
      pending = undefined;
    }
    if (pending !== undefined) {
      const run = runOfVersion(pending, name);
      throw new ConflictError(name, `${name} already has a pending version (AWSPENDING) from ${run ? `run ${run}` : `version ${pending}`}`);
    }
    let out: { VersionId?: string; VersionStages?: string[] };
    try {
      const input = { SecretId: name, SecretString: value, ClientRequestToken: token, VersionStages: [PENDING] };
      out = await this.host.writes.run(() => this.host.api.putSecretValue(input));
    } catch (e) {
      if (errorName(e) === "ResourceExistsException") throw new ConflictError(name, `version ${token} of ${name} already holds another value`);
      throw toCliError(e, { op: "PutSecretValue", name, value, endpoint: this.host.endpoint });
    }
    // The same token again is a no-op that attaches no label: a version discarded earlier gets AWSPENDING back.
    if (!out.VersionStages?.includes(PENDING)) await this.stage(name, PENDING, { MoveToVersionId: token });
    return out.VersionId ?? token;
  }

  async promote(op: PromoteOp): Promise<string> {
    const notes = encodeNotes(op.notes, NOTE, { key: 128, value: 256, where: "an AWS tag" });
    const s = await this.describe(op.name);
    if (!s) throw notFound(op.name);
    const { [CURRENT]: current, [PENDING]: pending, [PREVIOUS]: previous } = s.holders;
    const moving = current !== op.pendingVersion ? current : undefined;
    if (current !== op.pendingVersion) {
      if (pending !== op.pendingVersion || current === undefined) throw new ConflictError(op.name, `${op.name} has no pending version ${op.pendingVersion}`);
      await this.stage(op.name, CURRENT, { MoveToVersionId: op.pendingVersion, RemoveFromVersionId: current });
    }
    try {
      if (moving !== undefined) await this.record(op, s.tags, moving, notes);
      // A promotion that died after moving AWSCURRENT, before its record.
      else if (previous !== undefined && s.tags[GRACE_VERSION] !== previous) await this.record(op, s.tags, previous, notes);
    } finally {
      // Even if the record failed: the new value is current now, and AWSPENDING must not outlive the rotation.
      if (pending === op.pendingVersion) await this.stage(op.name, PENDING, { RemoveFromVersionId: op.pendingVersion });
    }
    return op.pendingVersion;
  }

  async discardPending(name: string, runId?: string): Promise<boolean> {
    const pending = (await this.describe(name))?.holders[PENDING];
    if (pending === undefined || (runId !== undefined && pending !== rotationToken(runId, name))) return false;
    await this.stage(name, PENDING, { RemoveFromVersionId: pending });
    return true;
  }

  async dropPrevious(name: string, version: string): Promise<boolean> {
    const s = await this.describe(name);
    if (s?.holders[PREVIOUS] !== version) return false;
    // Label first: a crash before the untag leaves a record that no longer matches AWSPREVIOUS, which nothing reads.
    await this.stage(name, PREVIOUS, { RemoveFromVersionId: version });
    const keys = Object.keys(s.tags).filter((k) => k === GRACE_UNTIL || k === GRACE_VERSION || k.startsWith(NOTE));
    if (keys.length > 0) await this.untag(name, keys);
    return true;
  }

  async listGrace(): Promise<GraceRecord[]> {
    const out: GraceRecord[] = [];
    let NextToken: string | undefined;
    do {
      const input = { MaxResults: 100, NextToken, Filters: [{ Key: "tag-key" as const, Values: [GRACE_UNTIL] }] };
      const page = await this.call("ListSecrets", undefined, () => this.host.reads.run(() => this.host.api.listSecrets(input)));
      for (const e of page.SecretList ?? []) {
        const s = labelled(e.SecretVersionsToStages, e.Tags);
        const graceUntil = graceOf(s);
        const previousVersion = s.holders[PREVIOUS];
        if (e.Name && graceUntil && previousVersion) out.push({ name: e.Name, previousVersion, graceUntil, notes: decodeNotes(s.tags, NOTE) });
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Notes of an earlier rotation go, the new ones and the grace end are set, in one call. */
  private async record(op: PromoteOp, tags: Readonly<Record<string, string>>, previous: string, notes: Record<string, string>): Promise<void> {
    const stale = Object.keys(tags).filter((k) => k.startsWith(NOTE) && !(k in notes));
    if (stale.length > 0) await this.untag(op.name, stale);
    const all = { ...notes, [GRACE_UNTIL]: op.graceUntil.toISOString(), [GRACE_VERSION]: previous };
    const Tags = Object.entries(all).map(([Key, Value]) => ({ Key, Value }));
    await this.call("TagResource", op.name, () => this.host.writes.run(() => this.host.api.tagResource({ SecretId: op.name, Tags })));
  }

  private untag(name: string, TagKeys: string[]): Promise<unknown> {
    return this.call("UntagResource", name, () => this.host.writes.run(() => this.host.api.untagResource({ SecretId: name, TagKeys })));
  }

  private stage(name: string, stage: string, move: { MoveToVersionId?: string; RemoveFromVersionId?: string }): Promise<unknown> {
    const input = { SecretId: name, VersionStage: stage, ...move };
    return this.call("UpdateSecretVersionStage", name, () => this.host.writes.run(() => this.host.api.updateSecretVersionStage(input)));
  }

  private async describe(name: string): Promise<Labelled | undefined> {
    try {
      const d = await this.host.reads.run(() => this.host.api.describeSecret({ SecretId: name }));
      return d.DeletedDate ? undefined : labelled(d.VersionIdsToStages, d.Tags);
    } catch (e) {
      if (errorName(e) === "ResourceNotFoundException") return undefined;
      throw toCliError(e, { op: "DescribeSecret", name, endpoint: this.host.endpoint });
    }
  }

  private async version(name: string, id: string): Promise<RotationVersion | undefined> {
    try {
      const v = await this.host.reads.run(() => this.host.api.getSecretValue({ SecretId: name, VersionId: id }));
      const value = v.SecretString ?? (v.SecretBinary ? Buffer.from(v.SecretBinary).toString("base64") : "");
      const runId = runOfVersion(id, name);
      return { version: id, value, ...(runId ? { runId } : {}) };
    } catch (e) {
      if (errorName(e) === "ResourceNotFoundException") return undefined; // relabelled meanwhile
      throw toCliError(e, { op: "GetSecretValue", name, endpoint: this.host.endpoint });
    }
  }

  private async call<T>(op: string, name: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toCliError(e, { op, ...(name === undefined ? {} : { name }), endpoint: this.host.endpoint });
    }
  }
}

function labelled(stages: Record<string, string[]> | undefined, tags: { Key?: string; Value?: string }[] | undefined): Labelled {
  const holders: Record<string, string> = {};
  for (const [id, labels] of Object.entries(stages ?? {})) for (const label of labels) holders[label] = id;
  return { holders, tags: Object.fromEntries((tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? ""]]))) };
}

function graceOf(s: Labelled): Date | undefined {
  const until = s.tags[GRACE_UNTIL];
  if (until === undefined || s.holders[PREVIOUS] === undefined || s.tags[GRACE_VERSION] !== s.holders[PREVIOUS]) return undefined;
  const date = new Date(until);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const notFound = (name: string) =>
  new CliError("SECRET_NOT_FOUND", `${name} does not exist in AWS Secrets Manager (or is scheduled for deletion)`, {
    exitCode: ExitCode.failed,
    hint: "rotation replaces an existing secret: migrate it first",
  });
