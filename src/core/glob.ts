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

export function makeNameFilter(filter: NameFilter): (name: string) => boolean {
  const only = (filter.only ?? []).map(globToRegExp);
  const exclude = (filter.exclude ?? []).map(globToRegExp);
  return (name) => (only.length === 0 || only.some((r) => r.test(name))) && !exclude.some((r) => r.test(name));
}
