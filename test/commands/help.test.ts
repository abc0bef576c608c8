import { describe, expect, it } from "vitest";
import { COMMANDS, providerFlag } from "../../src/config/options.js";
import { DESCRIPTORS } from "../../src/providers/index.js";
import { runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const cwd = await tmpdir();
const help = (args: string[]) => runSecrets(args, { cwd });
const flagNames = (text: string) => new Set([...text.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]));
const everyProviderFlag = DESCRIPTORS.flatMap((d) => d.settings.map((s) => providerFlag(s).split(" ")[0] as string));

describe("help that teaches", () => {
  it("bare `secrets` prints the short help on stderr and exits 1, like git; --help exits 0", async () => {
    const bare = await help([]);
    expect(bare.code).toBe(1);
    expect(bare.stdout).toBe("");
    expect(bare.stderr).toMatch(/^Usage: secrets \[options\] \[command\]/);
    const asked = await help(["--help"]);
    expect(asked.code).toBe(0);
    expect(asked.stdout).toMatch(/^Usage: secrets/);
  });

  it("every command's --help ends with its examples", async () => {
    for (const spec of COMMANDS.filter((c) => !c.hidden)) {
      const r = await help([...spec.name.split(" "), "--help"]);
      expect(r.code, spec.name).toBe(0);
      const examples = r.stdout.slice(r.stdout.indexOf("\nExamples:\n"));
      expect(spec.examples?.length, spec.name).toBeGreaterThanOrEqual(2);
      for (const [line, what] of spec.examples ?? []) expect(examples).toContain(`  $ ${line}\n      ${what}`);
      expect(r.stdout.trimEnd().endsWith(spec.examples?.at(-1)?.[1] ?? "?")).toBe(true);
    }
  });

  it("each example names its own command and only flags that command takes", () => {
    for (const spec of COMMANDS) {
      const known = new Set(spec.options.map((o) => o.flags.split(/[ ,]/)[0]));
      for (const [line] of spec.examples ?? []) {
        expect(line.startsWith(`secrets ${spec.name}`), line).toBe(true);
        for (const flag of line.match(/(?<= )--[a-z-]+/g) ?? []) expect(known.has(flag), `${spec.name}: ${flag}`).toBe(true);
      }
    }
  });

  it("provider flags appear under a heading per provider, and only for commands that take a provider", async () => {
    const migrate = (await help(["migrate", "--help"])).stdout;
    expect(migrate.indexOf("AWS options:\n  --region <region>")).toBeGreaterThan(migrate.indexOf("Options:"));
    expect(migrate).toMatch(/Vault options:\n {2}--address <url>/);
    expect(migrate).toMatch(/AWS\/Vault\/GCP options:\n {2}--endpoint <url>/);
    for (const flag of everyProviderFlag) expect(flagNames(migrate).has(flag), flag).toBe(true);
    for (const command of [["init"], ["providers"]]) {
      const shown = flagNames((await help([...command, "--help"])).stdout);
      expect(
        everyProviderFlag.filter((f) => shown.has(f)),
        command.join(" "),
      ).toEqual([]);
    }
  });

  it("`secrets help <provider>` lists that provider's flags, their twins and its environment variables", async () => {
    for (const d of DESCRIPTORS) {
      const r = await help(["help", d.name]);
      expect(r.code).toBe(0);
      expect(r.stdout.split("\n")[0]).toBe(`${d.title} (${d.name})`);
      for (const s of d.settings) expect(r.stdout).toMatch(new RegExp(`^ {2}${providerFlag(s).replace(/[|<>]/g, "\\$&")} +SECRETS_[A-Z_]+ +`, "m"));
      for (const v of d.env) expect(r.stdout).toMatch(new RegExp(`^ {2}${v}\\b`, "m"));
    }
  });

  it("`secrets help <command>` is that command's --help; an unknown topic is one error, exit 2", async () => {
    expect((await help(["help", "export", "k8s"])).stdout).toBe((await help(["export", "k8s", "--help"])).stdout);
    const bad = await help(["help", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error \[UNKNOWN_HELP_TOPIC\]: no command or provider named "nope"\nhint: commands: .*providers: local, aws/);
  });
});
