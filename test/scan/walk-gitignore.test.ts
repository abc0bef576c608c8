import { execFileSync } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { walk } from "../../src/scan/walk.js";
import { tmpdir } from "../helpers/tmpdir.js";

/** Git with no user or system configuration: no global excludes file may change its answer. */
const git = (repo: string, args: string[]) =>
  execFileSync("git", args, {
    cwd: repo,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: repo, XDG_CONFIG_HOME: repo, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
  });

/** The authority: the untracked files git itself does not ignore. */
function gitListed(repo: string): string[] {
  const out = git(repo, ["ls-files", "--others", "--exclude-standard", "-z"]);
  return out.split("\0").filter(Boolean).sort();
}

async function walked(repo: string): Promise<string[]> {
  const files: string[] = [];
  for await (const f of walk({ cwd: repo, paths: [], stateDir: join(repo, ".secrets"), gitignore: true, exclude: [] }, () => {})) files.push(f.display);
  return files.sort();
}

async function repository(files: Record<string, string>): Promise<string> {
  const repo = await tmpdir();
  git(repo, ["init", "-q"]);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), text);
  }
  return repo;
}

describe("the file walker leaves out exactly what git ignores", () => {
  it("nested .gitignore files, negations, anchors, directory-only rules, ** and .git/info/exclude", async () => {
    const rules = {
      ".gitignore": [
        "*.log",
        "!important.log",
        "/build",
        "docs/**/*.tmp",
        "cache/",
        "\\#hash.txt",
        "*.bak",
        "!keep/*.bak",
        "temp?",
        "[Tt]humbs.db",
        "nested/deep/",
        "!cache/kept",
      ].join("\n"),
      "sub/.gitignore": "*.txt\n!readme.txt\n/local.conf\n",
      "sub/inner/.gitignore": "!*.log\n",
      ".git/info/exclude": "secret-notes.md\n",
    };
    const files = [
      "a.log",
      "important.log",
      "build/x.js",
      "src/build/y.js",
      "docs/a/b/c.tmp",
      "docs/c.tmp",
      "docs/c.md",
      "cache/x",
      "cache/kept",
      "src/cache/y",
      "#hash.txt",
      "x.bak",
      "keep/x.bak",
      "temp1",
      "temp12",
      "Thumbs.db",
      "thumbs.db",
      "THUMBS.db",
      "nested/deep/f",
      "nested/f",
      "sub/a.txt",
      "sub/readme.txt",
      "sub/local.conf",
      "sub/x/local.conf",
      "sub/inner/z.log",
      "sub/inner/w.txt",
      "secret-notes.md",
      "sub/secret-notes.md",
      "with space/file name.env",
    ];
    const repo = await repository({ ...rules, ...Object.fromEntries(files.map((f) => [f, "x\n"])) });
    await rm(join(repo, ".git", "info", "exclude"), { force: true });
    await writeFile(join(repo, ".git", "info", "exclude"), rules[".git/info/exclude"]);
    expect(await walked(repo)).toEqual(gitListed(repo));
    expect(await walked(repo)).toContain("sub/readme.txt");
  });

  it("random trees and rule sets (property, against git)", async () => {
    const names = fc.constantFrom("a.log", "b.txt", "c.bak", "keep", "d.env", "x");
    const dirs = fc.constantFrom("", "a/", "b/", "a/b/", "b/a/");
    const patterns = fc.constantFrom(
      "*.log",
      "!*.log",
      "*.txt",
      "!b.txt",
      "a/",
      "/a",
      "b/*",
      "**/x",
      "!keep",
      "keep",
      "a/**/c.bak",
      "*.bak",
      "!a/c.bak",
      "/b/a/",
      "d.*",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.tuple(dirs, names).map(([d, n]) => `${d}${n}`),
          { minLength: 1, maxLength: 12 },
        ),
        fc.array(patterns, { maxLength: 5 }),
        fc.array(patterns, { maxLength: 3 }),
        async (files, root, nested) => {
          const repo = await repository({
            ".gitignore": `${root.join("\n")}\n`,
            "a/.gitignore": `${nested.join("\n")}\n`,
            ...Object.fromEntries(files.map((f) => [f, "x\n"])),
          });
          expect(await walked(repo)).toEqual(gitListed(repo));
        },
      ),
      { numRuns: 40 },
    );
  });
});
