import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { entriesOf, readJournal } from "../../src/core/journal.js";
import { rotationProject } from "../helpers/rotation.js";
import { parseJson } from "../helpers/run-cli.js";

const T0 = new Date("2026-03-01T10:00:00Z");
const at = (hours: number) => () => new Date(T0.getTime() + hours * 3_600_000);

describe("cleanup", () => {
  async function rotated() {
    const p = await rotationProject({ SHORT: "short-original-value-0123456789", LONG: "long-original-value-0123456789" });
    expect((await p.run(["rotate", "SHORT", "--yes", "--grace-period", "2h"], { now: at(0) })).code).toBe(0);
    expect((await p.run(["rotate", "LONG", "--yes", "--grace-period", "7d"], { now: at(0) })).code).toBe(0);
    return p;
  }

  it("never touches a previous version inside its grace period", async () => {
    const p = await rotated();
    const r = await p.run(["cleanup", "local", "--yes", "--json"], { now: at(1) });
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson(r)).toMatchObject({ runId: null, summary: { due: 0 } });
    expect((await p.labels("SHORT"))?.previous?.value).toBe("short-original-value-0123456789");
    expect((await p.labels("LONG"))?.previous?.value).toBe("long-original-value-0123456789");
  });

  it("dry-run lists exactly what would go; the live run removes exactly that and journals it", async () => {
    const p = await rotated();
    const dry = parseJson(await p.run(["cleanup", "local", "--dry-run", "--json"], { now: at(3) }));
    const due = (dry.items as { action: string }[]).filter((i) => i.action === "drop" || i.action === "delete");
    expect(due).toEqual([{ kind: "previous", name: "SHORT", version: "1", graceUntil: "2026-03-01T12:00:00.000Z", action: "drop" }]);
    expect((await p.labels("SHORT"))?.previous).toBeDefined();

    const live = await p.run(["cleanup", "local", "--yes", "--json"], { now: at(3) });
    expect(live.code, live.stderr).toBe(0);
    const doc = parseJson(live);
    expect((doc.items as { action: string; result?: string }[]).filter((i) => i.result === "done")).toEqual([{ ...due[0], result: "done" }]);
    expect((await p.labels("SHORT"))?.previous).toBeUndefined();
    expect((await p.labels("SHORT"))?.current.version).toBe("2");
    expect((await p.labels("LONG"))?.previous?.value).toBe("long-original-value-0123456789");
    const steps = entriesOf(await readJournal(join(p.cwd, ".secrets")), String(doc.runId));
    expect(steps.map((e) => [e.type, e.name ?? e.command, e.action ?? e.status])).toEqual([
      ["run-start", "cleanup", undefined],
      ["intent", "SHORT", "drop-previous"],
      ["done", "SHORT", "drop-previous"],
      ["run-end", undefined, "ok"],
    ]);
    // Running it again finds nothing left to do.
    expect(parseJson(await p.run(["cleanup", "local", "--yes", "--json"], { now: at(3) }))).toMatchObject({ summary: { due: 0 } });
    expect(parseJson(await p.run(["get", "SHORT", "--with-previous", "--json"]))).toMatchObject({ previous: null, graceUntil: null });
  });

  it("deletes backups older than the retention, and only those", async () => {
    const p = await rotated();
    const backups = async () => (await readdir(join(p.cwd, ".secrets", "backups"))).length;
    expect(await backups()).toBe(3);
    const now = Date.now();
    const keep = await p.run(["cleanup", "local", "--yes", "--json"], { now: () => new Date(now + 29 * 86_400_000) });
    expect(parseJson(keep)).toMatchObject({ summary: { due: 2 } }); // both previous versions are past grace by now
    expect(await backups()).toBe(3);
    const dry = await p.run(["cleanup", "local", "--dry-run", "--backups-older-than", "7d"], { now: () => new Date(now + 8 * 86_400_000) });
    expect(dry.stdout).toContain("dry run: would remove 3 item(s)");
    expect(await backups()).toBe(3);
    const live = await p.run(["cleanup", "local", "--yes", "--backups-older-than", "7d"], { now: () => new Date(now + 8 * 86_400_000) });
    expect(live.code, live.stderr).toBe(0);
    expect(await backups()).toBe(0);
  });

  it("bad retention is a usage error", async () => {
    const p = await rotationProject({ S: "value-0123456789" });
    expect((await p.run(["cleanup", "local", "--yes", "--backups-older-than", "a month"])).code).toBe(2);
  });
});
