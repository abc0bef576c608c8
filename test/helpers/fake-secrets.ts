/**
 * Format-valid but fake credentials, made at test time from a seeded generator. None is written into
 * the repository: fixture files hold `{{plant:<kind>}}` markers, so push protection and secret
 * scanners see no token there, and every run plants fresh values the leak canary can look for.
 */

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const ALNUM = UPPER + LOWER + DIGITS;
const BASE64URL = `${ALNUM}_-`;
const BASE64 = `${ALNUM}+/`;
const BASE32 = `${UPPER}234567`;
const WORDS = ["orange", "river", "castle", "maple", "harbor", "copper", "meadow", "falcon", "violet", "summit", "lantern", "pepper"];

/** The suite's one seeded generator (mulberry32). */
export { random } from "./crash.js";

export type Rand = () => number;
/** Random characters, never four x's in a row: the scanner takes `xxxx` for a placeholder's, by design. */
function pick(rand: Rand, alphabet: string, n: number): string {
  let out = "";
  while (out.length < n) {
    const c = alphabet[Math.floor(rand() * alphabet.length)] ?? "";
    if (!/[xX]{3}$/.test(out) || !/[xX]/.test(c)) out += c;
  }
  return out;
}
const b64url = (json: unknown) => Buffer.from(JSON.stringify(json)).toString("base64url");

function pem(rand: Rand, label: string, newline: string): string {
  const lines = Array.from({ length: 20 }, () => pick(rand, BASE64, 64));
  return [`-----BEGIN ${label}PRIVATE KEY-----`, ...lines, `${pick(rand, BASE64, 40)}==`, `-----END ${label}PRIVATE KEY-----`].join(newline);
}

/** Each kind: the rule that must find it and how to make one. Prefixes are split so no literal token exists here either. */
export const KINDS: Record<string, { readonly rule: string; readonly make: (rand: Rand) => string }> = {
  "aws-access-key-id": { rule: "aws-access-key-id", make: (r) => `AK${"IA"}${pick(r, BASE32, 16)}` },
  "aws-secret-access-key": { rule: "aws-secret-access-key", make: (r) => pick(r, BASE64, 40) },
  "github-token": { rule: "github-token", make: (r) => `gh${"p_"}${pick(r, ALNUM, 36)}` },
  "github-fine-grained-token": { rule: "github-fine-grained-token", make: (r) => `github${"_pat_"}${pick(r, ALNUM, 22)}_${pick(r, ALNUM, 59)}` },
  "gitlab-token": { rule: "gitlab-token", make: (r) => `gl${"pat-"}${pick(r, ALNUM, 20)}` },
  "stripe-secret-key": { rule: "stripe-secret-key", make: (r) => `sk${"_live_"}${pick(r, ALNUM, 32)}` },
  "stripe-restricted-key": { rule: "stripe-secret-key", make: (r) => `rk${"_test_"}${pick(r, ALNUM, 32)}` },
  "stripe-webhook-secret": { rule: "stripe-webhook-secret", make: (r) => `wh${"sec_"}${pick(r, ALNUM, 32)}` },
  "slack-token": { rule: "slack-token", make: (r) => `xo${"xb-"}${pick(r, DIGITS, 11)}-${pick(r, DIGITS, 13)}-${pick(r, ALNUM, 24)}` },
  "slack-webhook-url": {
    rule: "slack-webhook-url",
    make: (r) => `https://hooks.${"slack.com"}/services/T${pick(r, UPPER + DIGITS, 9)}/B${pick(r, UPPER + DIGITS, 11)}/${pick(r, ALNUM, 24)}`,
  },
  "google-api-key": { rule: "google-api-key", make: (r) => `AI${"za"}${pick(r, BASE64URL, 35)}` },
  "anthropic-api-key": { rule: "anthropic-api-key", make: (r) => `sk-${"ant-api03-"}${pick(r, BASE64URL, 93)}AA` },
  "openai-api-key": { rule: "openai-api-key", make: (r) => `sk-${"proj-"}${pick(r, BASE64URL, 74)}${"T3Blbk"}FJ${pick(r, BASE64URL, 74)}` },
  "npm-token": { rule: "npm-token", make: (r) => `np${"m_"}${pick(r, ALNUM, 36)}` },
  "sendgrid-api-key": { rule: "sendgrid-api-key", make: (r) => `S${"G."}${pick(r, BASE64URL, 22)}.${pick(r, BASE64URL, 43)}` },
  "vault-token": { rule: "vault-token", make: (r) => `hv${"s."}${pick(r, BASE64URL, 90)}` },
  jwt: {
    rule: "jwt",
    make: (r) => `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url({ sub: pick(r, ALNUM, 12), iat: 1700000000 })}.${pick(r, BASE64URL, 43)}`,
  },
  "private-key": { rule: "private-key", make: (r) => pem(r, "RSA ", "\n") },
  "private-key-json": { rule: "private-key", make: (r) => `${pem(r, "", "\\n")}\\n` },
  /** The password of a URL: the marker stands where the password goes. */
  "url-password": { rule: "url-password", make: (r) => pick(r, ALNUM, 20) },
  "generic-random": { rule: "generic-secret", make: (r) => `${pick(r, UPPER, 2)}${pick(r, DIGITS, 2)}${pick(r, ALNUM, 28)}` },
  "generic-hex": { rule: "generic-secret", make: (r) => pick(r, "0123456789abcdef", 48) },
  "generic-weak": {
    rule: "generic-secret",
    make: (r) => `${WORDS[Math.floor(r() * WORDS.length)]}${WORDS[Math.floor(r() * WORDS.length)]}${pick(r, DIGITS, 2)}`,
  },
};

/** A format's public part, which rule descriptions may quote: what follows it is the secret. */
const PUBLIC_PREFIX =
  /^(?:https:\/\/hooks\.slack\.com\/services\/|sk-ant-api03-|sk-proj-|github_pat_|[a-z]{2,5}[_-](?:live_|test_)?|SG\.|hv[sb]\.|AKIA|AIza|eyJ[A-Za-z0-9_-]+\.)/;

/** The part of a planted value an output must never contain: no public prefix, and a PEM's body without its header lines. */
export function secretPart(kind: string, value: string): string {
  if (kind.startsWith("private-key")) return value.replace(/-----[A-Z ]+-----/g, "").replace(/\\n|\n/g, "");
  return value.replace(PUBLIC_PREFIX, "");
}

/** Every `width`-character window of a secret found in `text`, to prove masks show no more than their few characters. */
export function leaks(text: string, secrets: readonly string[], width = 12): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (let i = 0; i + width <= secret.length; i++) {
      const window = secret.slice(i, i + width);
      if (text.includes(window)) {
        found.push(window);
        break;
      }
    }
  }
  return found;
}
