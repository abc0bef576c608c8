/** The only way a value reaches a view; under 24 characters nothing shows, since a few are a real share of it. */
export function mask(value: string): string {
  const chars = [...value];
  const length = `${chars.length} char${chars.length === 1 ? "" : "s"}`;
  if (chars.length < 24) return `•••• (${length})`;
  const head = chars.slice(0, 3).join("");
  const tail = chars.slice(-4).join("");
  return `${head}…${tail} (${length})`.replace(/[\r\n\t]/g, "·");
}

const HIDDEN = "****";
const SCHEME = /[a-z][a-z0-9+.-]*:\/\//gi;
const CREDENTIAL_NAME = /(pass(word|wd)?|pwd|secret|token|api[-_]?key|credentials?|signature|sig)$/i;
// A value runs to the next `&` or `#` (pg accepts spaces in it).
const URL_PARAM = /([?&])([A-Za-z0-9_.%+-]+)(=)([^&#]*)/g;
const KV_PARAM = /(^|[\s;,])([A-Za-z0-9_.-]+)(\s*=\s*)('(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?|\S*)/g;

/**
 * Every form `pg` accepts: a URL's password (up to the last `@`, spaces and percent-encoding
 * included), credential-named parameters (percent-decoded as `pg` does) and libpq `key=value`.
 * When in doubt it hides too much, never too little.
 */
export function maskCredentials(text: string): string {
  return text.split("\n").map(maskLine).join("\n");
}

function maskLine(line: string): string {
  let out = "";
  let rest = line;
  for (let m = SCHEME.exec(rest); m !== null; m = SCHEME.exec(rest)) {
    const start = m.index + m[0].length;
    const at = rest.lastIndexOf("@");
    if (at < start) break;
    const userinfo = rest.slice(start, at);
    const colon = userinfo.indexOf(":");
    out += rest.slice(0, start) + (colon < 0 ? userinfo : `${userinfo.slice(0, colon)}:${HIDDEN}`);
    rest = rest.slice(at);
    SCHEME.lastIndex = 0;
  }
  SCHEME.lastIndex = 0;
  const hide = (whole: string, lead: string, name: string, eq: string, value: string) =>
    value !== "" && CREDENTIAL_NAME.test(decodeName(name)) ? `${lead}${name}${eq}${HIDDEN}` : whole;
  return (out + rest).replace(URL_PARAM, hide).replace(KV_PARAM, hide);
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll("+", " "));
  } catch {
    return name;
  }
}

/** The program only: its arguments may hold a token, and no pattern recognises every way of passing one. */
export function maskCommand(command: string): string {
  const trimmed = command.trim();
  const program = trimmed.split(/\s+/)[0] ?? "";
  // `TOKEN=… ./check` starts with an assignment: nothing of it is safe to show.
  const shown = program.includes("=") ? HIDDEN : maskCredentials(program);
  const rest = trimmed.length - program.length;
  return rest > 0 ? `${shown} … (${rest} more chars hidden)` : shown;
}
