import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliError } from "../../src/core/errors.js";
import { requestToken } from "../../src/providers/aws/names.js";
import { createAwsStore } from "../../src/providers/aws/store.js";
import type { ProviderContext, ProviderEvent } from "../../src/providers/shared/context.js";
import { ConflictError, type SecretStore, type WriteOp } from "../../src/providers/types.js";
import { type AwsHarness, startAwsHarness } from "../helpers/aws-harness.js";
import type { AwsServerOptions } from "../servers/aws-secrets-manager.js";

let h: AwsHarness;
let store: SecretStore;
let events: ProviderEvent[];

async function open(serverOptions: AwsServerOptions = {}, options: Record<string, string> = {}, env: Record<string, string> = {}) {
  h = await startAwsHarness(serverOptions);
  store = await connectStore(options, env);
}

async function connectStore(options: Record<string, string> = {}, env: Record<string, string> = {}): Promise<SecretStore> {
  events = [];
  const ctx: ProviderContext = {
    stateDir: "/nonexistent",
    key: undefined,
    options: { ...h.options, ...options },
    env: { ...h.env, ...env },
    clock: { now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    concurrency: undefined,
    onEvent: (e) => events.push(e),
  };
  const s = await createAwsStore(ctx);
  await s.connect();
  return s;
}

const create = (name: string, value: string, runId = "run-1"): WriteOp => ({ kind: "create", name, value, runId });
const update = (name: string, value: string, expectedVersion: string, runId = "run-2"): WriteOp => ({ kind: "update", name, value, expectedVersion, runId });
const caught = (p: Promise<unknown>) => p.then(() => undefined).catch((e: unknown) => e);
const current = (name: string) => h.server.versions(name).find((v) => v.stages.includes("AWSCURRENT"));

/** Runs `ops` with `n` in flight, as the core does. */
async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<unknown>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

beforeEach(() => open());
afterEach(async () => {
  await store.close();
  await h.stop();
});

describe("aws provider", () => {
  it("creates, reads in bulk, lists and updates", async () => {
    const a = await store.write(create("app/a", "alpha"));
    await store.write(create("app/b", "beta"));
    await store.write(create("other/c", "gamma"));
    expect(a.version).toBe(requestToken("run-1", "app/a"));
    const read = await store.readMany(["app/a", "app/b", "app/missing"]);
    expect([...read.values()]).toEqual([
      { name: "app/a", value: "alpha", version: a.version },
      { name: "app/b", value: "beta", version: requestToken("run-1", "app/b") },
    ]);
    expect(await store.list("app/")).toEqual(["app/a", "app/b"]);
    const b = await store.write(update("app/a", "alpha2", a.version));
    expect((await store.readMany(["app/a"])).get("app/a")).toEqual({ name: "app/a", value: "alpha2", version: b.version });
    expect(h.server.state.find("app/a")?.tags.get("managed-by")).toBe("secretshift");
    // Reads by id (BatchGetSecretValue); only list() asks ListSecrets.
    expect(h.server.counts).toMatchObject({ ListSecrets: 1, BatchGetSecretValue: 2, CreateSecret: 3, PutSecretValue: 1 });
    expect(store.stats.apiCalls).toBe(h.server.stats.requests);
  });

  it("refuses an update whose version changed since it was read", async () => {
    const a = await store.write(create("k", "v1"));
    await store.write(update("k", "v2", a.version, "someone-else"));
    expect(await caught(store.write(update("k", "v3", a.version)))).toBeInstanceOf(ConflictError);
    expect(await caught(store.write(create("k", "v9", "run-9")))).toBeInstanceOf(ConflictError);
  });

  it("never stores a second version when a write is repeated or its response is lost", async () => {
    const first = await store.write(create("k", "v1"));
    expect(await store.write(create("k", "v1"))).toEqual(first);
    await store.write(update("k", "v2", first.version));
    await store.write(update("k", "v2", first.version));
    expect(h.server.versions("k")).toHaveLength(2);

    h.server.setOptions({ fault: { every: 3, kind: "reset-after" } });
    const retrying = await connectStore({ maxAttempts: "8" });
    const names = Array.from({ length: 12 }, (_, i) => `lost/${i}`);
    await pool(names, 4, (n) => retrying.write(create(n, `value-${n}`)));
    await retrying.close();
    for (const n of names) expect(h.server.versions(n)).toHaveLength(1);
    expect(h.server.stats.faults).toBeGreaterThan(0);
  });

  it("reads by id, so a listing that lags five seconds never hides a write", async () => {
    h.server.setOptions({ listingLagMs: 5000 });
    const a = await store.write(create("lag/a", "alpha"));
    expect((await store.readMany(["lag/a", "lag/b"])).get("lag/a")).toEqual({ name: "lag/a", value: "alpha", version: a.version });
    // ListSecrets has not caught up: list() only discovers names, and is the one place that shows it.
    expect(await store.list("lag/")).toEqual([]);
    const b = await store.write(update("lag/a", "alpha2", a.version));
    expect((await store.readMany(["lag/a"])).get("lag/a")?.value).toBe("alpha2");
    expect(b.version).not.toBe(a.version);
  });

  it("a create right after a force delete waits for AWS to finish it", async () => {
    h.server.setOptions({ asyncDeleteMs: 1200 });
    await store.write(create("again", "v1"));
    expect(await store.revert({ name: "again", prior: { name: "again", existed: false }, runId: "run-1" })).toBe("reverted");
    expect(h.server.snapshot().again).toMatchObject({ forceDeleted: true });
    // The plan sees a name about to be free, not a secret to restore.
    expect(await store.readMany(["again"])).toEqual(new Map());
    const made = await store.write(create("again", "v2", "run-2"));
    expect(made.version).toBe(requestToken("run-2", "again"));
    expect(current("again")?.value).toBe("v2");
    expect(h.server.counts.CreateSecret).toBeGreaterThan(2);
    expect(events.filter((e) => e.type === "retry").map((e) => (e as { reason: string }).reason)).toContain("again is still being deleted by AWS");
  });

  it("takes CreateSecret's ResourceExistsException as the state it reveals: our version or our value is done, another value a conflict", async () => {
    h.server.setOptions({ strictCreate: true, fault: { every: 2, kind: "reset-after" } });
    const retrying = await connectStore({ maxAttempts: "4" });
    // Every 2nd request's response is lost; the SDK's retry then meets the secret its first attempt made.
    const names = Array.from({ length: 6 }, (_, i) => `lost/${i}`);
    // One at a time: with two in flight, one write could meet the lost responses on all four attempts.
    await pool(names, 1, (n) => retrying.write(create(n, `value-${n}`)));
    await retrying.close();
    h.server.setOptions({ fault: undefined });
    expect(h.server.counts.CreateSecret).toBeGreaterThan(names.length);
    for (const n of names) expect(h.server.versions(n), n).toEqual([{ id: requestToken("run-1", n), stages: ["AWSCURRENT"], value: `value-${n}` }]);

    const theirs = await store.write(create("raced", "same-value", "someone-else"));
    expect(await store.write(create("raced", "same-value", "run-7"))).toEqual(theirs);
    expect(await caught(store.write(create("raced", "other-value", "run-8")))).toMatchObject({ message: expect.stringMatching(/another value .*run again/) });
    expect(h.server.versions("raced")).toHaveLength(1);
  });

  it("reports a secret scheduled for deletion as deleted, and restores it only when asked", async () => {
    const a = await store.write(create("doomed", "v1"));
    h.server.state.get("doomed").deletedDate = new Date(Date.now() + 7 * 86400_000);
    expect((await store.readMany(["doomed"])).get("doomed")).toMatchObject({ deleted: true, version: a.version });
    expect(await caught(store.write(update("doomed", "v2", a.version)))).toBeInstanceOf(ConflictError);
    expect(await store.list("")).toEqual([]);

    const restoring = await connectStore({ restoreDeleted: "true" });
    await restoring.write(update("doomed", "v2", a.version));
    expect(h.server.state.get("doomed").deletedDate).toBeUndefined();
    expect(current("doomed")?.value).toBe("v2");
    await restoring.close();
  });

  it("completes every write with 30% of requests throttled, without duplicates", async () => {
    h.server.setOptions({ throttleFraction: 0.3 });
    const names = Array.from({ length: 30 }, (_, i) => `t/${i}`);
    await pool(names, 4, (n) => store.write(create(n, `v1-${n}`)));
    const read = await store.readMany(names);
    await pool(names.slice(0, 15), 4, (n) => store.write(update(n, `v2-${n}`, read.get(n)?.version ?? "")));
    for (const [i, n] of names.entries()) {
      expect(h.server.versions(n)).toHaveLength(i < 15 ? 2 : 1);
      expect(current(n)?.value).toBe(`${i < 15 ? "v2" : "v1"}-${n}`);
    }
    expect(h.server.stats.throttled).toBeGreaterThan(15);
    expect(events.some((e) => e.type === "throttled" && e.retryInMs > 0)).toBe(true);
  });

  it("does not retry LimitExceededException as if it were throttling", async () => {
    const a = await store.write(create("k", "v1"));
    h.server.setOptions({ maxVersions: 1 });
    const e = await caught(store.write(update("k", "v2", a.version)));
    expect(e).toMatchObject({ code: "AWS_LIMIT_EXCEEDED", exitCode: 1 });
    expect(h.server.counts.PutSecretValue).toBe(1);
  });

  it("reverts an update by moving AWSCURRENT back, without PutSecretValue", async () => {
    const v1 = await store.write(create("k", "old"));
    const v2 = await store.write(update("k", "new", v1.version));
    h.server.resetCounts();
    const prior = { name: "k", existed: true, value: "old", version: v1.version };
    expect(await store.revert({ name: "k", prior, writtenVersion: v2.version, runId: "run-2" })).toBe("reverted");
    expect(current("k")).toMatchObject({ id: v1.version, value: "old" });
    expect(h.server.counts.PutSecretValue).toBeUndefined();
    expect(h.server.counts.UpdateSecretVersionStage).toBe(1);
    // Crash case: no writtenVersion in the journal; the derived token still identifies the run.
    expect(await store.revert({ name: "k", prior, runId: "run-2" })).toBe("already");
  });

  it("restores the value from the backup only when the prior version is gone", async () => {
    const v1 = await store.write(create("k", "old"));
    await store.write(update("k", "new", v1.version));
    h.server.state.get("k").versions.delete(v1.version);
    const prior = { name: "k", existed: true, value: "old", version: v1.version };
    expect(await store.revert({ name: "k", prior, runId: "run-2" })).toBe("reverted");
    expect(current("k")?.value).toBe("old");
    expect(await store.revert({ name: "k", prior, runId: "run-2" })).toBe("already");
    expect(h.server.versions("k")).toHaveLength(2);
  });

  it("reverts a create by deleting, and leaves alone what changed since", async () => {
    await store.write(create("made", "v1"));
    expect(await store.revert({ name: "made", prior: { name: "made", existed: false }, runId: "run-1" })).toBe("reverted");
    expect(h.server.state.find("made")).toBeUndefined();
    expect(await store.revert({ name: "made", prior: { name: "made", existed: false }, runId: "run-1" })).toBe("already");

    const v1 = await store.write(create("busy", "v1"));
    const v2 = await store.write(update("busy", "v2", v1.version));
    await store.write(update("busy", "v3", v2.version, "later-run"));
    const prior = { name: "busy", existed: true, value: "v1", version: v1.version };
    expect(await store.revert({ name: "busy", prior, writtenVersion: v2.version, runId: "run-2" })).toBe("changed-since");
    expect(await store.revert({ name: "busy", prior: { name: "busy", existed: false }, runId: "run-1" })).toBe("changed-since");
    expect(current("busy")?.value).toBe("v3");
  });

  it("keeps rolled-back secrets recoverable with a recovery window", async () => {
    const windowed = await connectStore({ recoveryWindow: "7" });
    await windowed.write(create("soft", "v1"));
    await windowed.revert({ name: "soft", prior: { name: "soft", existed: false }, runId: "run-1" });
    expect(h.server.state.get("soft").deletedDate).toBeInstanceOf(Date);
    await windowed.close();
    expect(await caught(connectStore({ recoveryWindow: "3" }))).toMatchObject({ code: "AWS_BAD_OPTION", exitCode: 2 });
  });

  it("reports AccessDenied as exit 3, never as a missing secret", async () => {
    await store.write(create("locked", "v1"));
    h.server.setOptions({ denied: ["GetSecretValue:locked"] });
    const e = await caught(store.readMany(["locked", "free"]));
    expect(e).toBeInstanceOf(CliError);
    expect(e).toMatchObject({ code: "AWS_ACCESS_DENIED", exitCode: 3 });
    expect((e as CliError).message).toContain("locked");

    h.server.setOptions({ denied: ["BatchGetSecretValue", "ListSecrets"] });
    await store.write(create("open", "v1"));
    h.server.resetCounts();
    expect((await store.readMany(["open", "nope"])).get("open")?.value).toBe("v1");
    expect(h.server.counts).toMatchObject({ BatchGetSecretValue: 1, GetSecretValue: 2 });
  });

  it("reports refused credentials as exit 3 with the reason and a hint", async () => {
    const stranger = await connectStore({}, { AWS_ACCESS_KEY_ID: "AKIDWRONG" });
    const e = await caught(stranger.readMany(["x"]));
    expect(e).toMatchObject({ code: "AWS_CREDENTIALS", exitCode: 3 });
    expect((e as CliError).message).toMatch(/security token included in the request is invalid/);
    expect((e as CliError).hint).toMatch(/AWS_PROFILE/);
    await stranger.close();
  });

  it("refuses names and values AWS cannot hold, with the rule", () => {
    expect(store.checkName("app/db_url+x=1.2@host-ok").invalid).toBeUndefined();
    expect(store.checkName("has space").invalid).toMatch(/A-Z a-z 0-9/);
    expect(store.checkName("").invalid).toMatch(/1–512/);
    expect(store.checkName("x".repeat(513)).invalid).toMatch(/1–512/);
    expect(store.checkName("db-secret-abcdef").invalid).toMatch(/hyphen and six/);
    expect(store.checkValue("")).toMatch(/empty/);
    expect(store.checkValue("é".repeat(32_769))).toMatch(/65,536 bytes/);
    expect(store.checkValue("x".repeat(65_536))).toBeUndefined();
  });

  it("never puts a value in an error message", async () => {
    const canary = "CANARY-7f3a9c1e-do-not-leak";
    const errors = [await caught(store.write(create("huge", canary.repeat(3000)))), await caught(store.write(create("bad name", canary)))];
    await store.write(create("k", canary));
    errors.push(await caught(store.write(create("k", `${canary}-2`, "run-2"))));
    h.server.setOptions({ denied: ["PutSecretValue"] });
    errors.push(await caught(store.write(update("k", canary, requestToken("run-1", "k")))));
    for (const e of errors) {
      expect(e).toBeInstanceOf(Error);
      expect(JSON.stringify({ m: (e as Error).message, h: (e as CliError).hint })).not.toContain("CANARY");
    }
  });
});
