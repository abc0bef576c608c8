/**
 * `*` and `?` stay within one `/` segment, `**` crosses them — the same reading as .gitignore,
 * so `--only 'db/*'` does not silently pull in `db/replica/password`.
 */
export function globToRegExp(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        out += ".*";
        i++;
      } else {
        out += "[^/]*";
      }
    } else if (c === "?") {
      out += "[^/]";
    } else {
      out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${out}$`);
}

export interface NameFilter {
  readonly only?: readonly string[];
  readonly exclude?: readonly string[];
}

/** `--only`/`--exclude` as one predicate that also remembers which globs ever matched, so one that matched nothing can be named. */
export class NameMatcher {
  private readonly only: readonly Glob[];
  private readonly exclude: readonly Glob[];
  private readonly matched = new Set<Glob>();
  private readonly unticked = new Set<string>();

  constructor(filter: NameFilter) {
    this.only = (filter.only ?? []).map((glob) => ({ flag: "--only", glob, re: globToRegExp(glob) }));
    this.exclude = (filter.exclude ?? []).map((glob) => ({ flag: "--exclude", glob, re: globToRegExp(glob) }));
  }

  keep(name: string): boolean {
    const only = this.only.length === 0 || this.hits(this.only, name);
    return !this.hits(this.exclude, name) && only && !this.unticked.has(name);
  }

  /** Names unticked at the interactive checkbox: left out exactly like an `--exclude` naming each. */
  leaveOut(names: Iterable<string>): void {
    for (const name of names) this.unticked.add(name);
  }

  /** One warning per glob that matched no name. */
  unmatched(): string[] {
    return [...this.only, ...this.exclude]
      .filter((g) => !this.matched.has(g))
      .map((g) => `${g.flag} '${g.glob}' matched no secret name (names are matched after --prefix and --name-template; run without it to see them)`);
  }

  private hits(globs: readonly Glob[], name: string): boolean {
    let hit = false;
    for (const g of globs) {
      if (!g.re.test(name)) continue;
      hit = true;
      this.matched.add(g);
    }
    return hit;
  }
}

interface Glob {
  readonly flag: string;
  readonly glob: string;
  readonly re: RegExp;
}

export function makeNameFilter(filter: NameFilter): (name: string) => boolean {
  const matcher = new NameMatcher(filter);
  return (name) => matcher.keep(name);
}
