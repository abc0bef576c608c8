import { usageError } from "../core/errors.js";
import { isProviderName, type ProviderName } from "../providers/index.js";

/** `${secret:NAME}` (provider left to the caller), `${secret:PROVIDER:NAME}`, `${env:VAR}`. */
export type Reference =
  | { readonly kind: "secret"; readonly provider?: ProviderName; readonly name: string; readonly text: string }
  | { readonly kind: "env"; readonly name: string; readonly text: string };

export type Part = string | Reference;

// `$${secret:` / `$${env:` first, so an escaped reference is never read as one.
const TOKEN = /\$\$\{(?=(?:secret|env):)|\$\{(secret|env):([^{}\r\n]*)\}/g;
const DETECT = /\$\{(?:secret|env):[^{}\r\n]*\}/;

/**
 * A value holding a reference (or an escaped one) is a template; any other value is taken literally,
 * as dotenv gave it, so a password that happens to contain `$${` is never changed.
 */
export const holdsReference = (value: string): boolean => DETECT.test(value);

export function parseTemplate(value: string, where: string): Part[] {
  if (!holdsReference(value)) return [value];
  const parts: Part[] = [];
  let last = 0;
  let text = "";
  for (const m of value.matchAll(TOKEN)) {
    text += value.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[0] === "$${") {
      text += "${";
      continue;
    }
    if (text) parts.push(text);
    text = "";
    parts.push(toReference(m[1] as "secret" | "env", m[2] ?? "", m[0], where));
  }
  text += value.slice(last);
  if (text) parts.push(text);
  return parts;
}

function toReference(kind: "secret" | "env", body: string, text: string, where: string): Reference {
  if (kind === "env") {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(body)) throw malformed(text, where, "an environment variable name");
    return { kind, name: body, text };
  }
  const colon = body.indexOf(":");
  const head = body.slice(0, colon);
  // A first segment naming a provider picks it; any other colon belongs to the name.
  const reference = colon > 0 && isProviderName(head) ? { kind, provider: head, name: body.slice(colon + 1), text } : { kind, name: body, text };
  if (reference.name.trim() === "") throw malformed(text, where, "a secret name");
  return reference;
}

const malformed = (text: string, where: string, wanted: string) =>
  usageError("REFERENCE_INVALID", `${where}: ${text} does not name ${wanted}`, `write \${secret:NAME}, \${secret:PROVIDER:NAME} or \${env:VAR}`);

export const referenceText = (provider: ProviderName | undefined, name: string): string =>
  provider === undefined ? `\${secret:${name}}` : `\${secret:${provider}:${name}}`;
