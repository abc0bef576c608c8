import { readFile, stat } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import ignore, { type Ignore } from "ignore";

interface Layer {
  readonly base: string;
  readonly rules: Ignore;
}

async function readRules(path: string): Promise<Ignore | undefined> {
  try {
    // Git matches case-sensitively unless core.ignorecase is set (it is not, on Linux).
    return ignore({ ignorecase: false }).add(await readFile(path, "utf8"));
  } catch {
    return undefined;
  }
}

/** The nearest directory at or above `dir` holding `.git` (a folder, or a file in a worktree). */
async function repositoryTop(dir: string): Promise<string | undefined> {
  for (let d = dir; ; d = dirname(d)) {
    if (
      await stat(join(d, ".git")).then(
        () => true,
        () => false,
      )
    )
      return d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * Git's exclude rules for one directory: `$GIT_DIR/info/exclude`, then every `.gitignore` from the
 * repository's top down to here. The patterns themselves are matched by the `ignore` package, which
 * implements gitignore(5) (and is tested against git); the layering is git's: a deeper file's
 * matching rule, ignore or `!` re-include, overrides a shallower one. A directory that is ignored is
 * never entered, so nothing under it can be re-included, exactly as git says.
 */
export class GitIgnore {
  private constructor(private readonly layers: readonly Layer[]) {}

  /** The rules in force at `dir`: from the enclosing repository's top, or from `dir` outside one. */
  static async at(dir: string): Promise<GitIgnore> {
    const top = await repositoryTop(dir);
    const exclude = top === undefined ? undefined : await readRules(join(top, ".git", "info", "exclude"));
    const dirs: string[] = [];
    for (let d = dir; ; d = dirname(d)) {
      dirs.unshift(d);
      if (d === (top ?? dir) || dirname(d) === d) break;
    }
    let rules = new GitIgnore(exclude && top !== undefined ? [{ base: top, rules: exclude }] : []);
    for (const d of dirs) rules = await rules.enter(d);
    return rules;
  }

  /** The rules for a subdirectory: these plus its own `.gitignore`. */
  async enter(dir: string): Promise<GitIgnore> {
    const rules = await readRules(join(dir, ".gitignore"));
    return rules ? new GitIgnore([...this.layers, { base: dir, rules }]) : this;
  }

  ignores(path: string, isDirectory: boolean): boolean {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i] as Layer;
      const rel = relative(layer.base, path).split(sep).join("/");
      if (rel === "" || rel.startsWith("..")) continue;
      const result = layer.rules.test(isDirectory ? `${rel}/` : rel);
      if (result.ignored) return true;
      if (result.unignored) return false;
    }
    return false;
  }
}
