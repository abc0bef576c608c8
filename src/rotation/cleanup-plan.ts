import type { GraceRecord, PendingRecord } from "./types.js";

export type CleanupItem =
  | {
      readonly kind: "previous";
      readonly name: string;
      readonly version: string;
      readonly graceUntil: string;
      readonly action: "drop" | "keep" | "skip";
      readonly reason?: string;
      readonly expireRole?: string;
    }
  | { readonly kind: "backup"; readonly runId: string; readonly createdAt: string; readonly action: "delete" | "keep"; readonly reason?: string }
  /** Removed only once it is the current value already. */
  | {
      readonly kind: "pending";
      readonly name: string;
      readonly version: string;
      readonly runId?: string;
      readonly action: "drop" | "keep";
      readonly reason: string;
    };

export interface CleanupInput {
  readonly now: Date;
  readonly retentionMs: number;
  readonly db?: string;
}

/** Pure. A version with a role to expire waits until `--db` names that server: a password is never left valid untracked. */
export function planCleanup(
  grace: readonly GraceRecord[],
  backups: readonly { runId: string; mtime: Date }[],
  input: CleanupInput,
  pending: readonly PendingRecord[] = [],
): CleanupItem[] {
  const now = input.now.getTime();
  const items: CleanupItem[] = grace.map((g) => {
    const base = { kind: "previous" as const, name: g.name, version: g.previousVersion, graceUntil: g.graceUntil.toISOString() };
    if (g.graceUntil.getTime() > now) return { ...base, action: "keep", reason: `inside its grace period until ${base.graceUntil}` };
    const role = g.notes["expire-role"];
    if (role === undefined) return { ...base, action: "drop" };
    if (input.db === undefined)
      return { ...base, action: "skip", reason: `pass --db <admin-url> for ${g.notes.db ?? "the server"} to expire role ${role} first` };
    if (g.notes.db !== undefined && g.notes.db !== input.db)
      return { ...base, action: "skip", reason: `role ${role} lives on ${g.notes.db}, but --db points at ${input.db}` };
    return { ...base, action: "drop", expireRole: role };
  });
  for (const p of pending) {
    const base = { kind: "pending" as const, name: p.name, version: p.version, ...(p.runId ? { runId: p.runId } : {}) };
    // One that is not current yet may belong to a rotation still running, or one a re-run resumes.
    if (p.promoted) items.push({ ...base, action: "drop", reason: "already the current value (a promotion died before removing it)" });
    else
      items.push({
        ...base,
        action: "keep",
        reason: `rotation run ${p.runId ?? "?"} is pending: re-run it to finish, or abandon it with secrets rotate ${p.name} --abort`,
      });
  }
  for (const b of backups) {
    const old = now - b.mtime.getTime() > input.retentionMs;
    items.push({
      kind: "backup",
      runId: b.runId,
      createdAt: b.mtime.toISOString(),
      action: old ? "delete" : "keep",
      ...(old ? {} : { reason: "newer than the retention" }),
    });
  }
  return items;
}
