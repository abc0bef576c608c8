/**
 * Whether a key name says its value is a secret (`DB_PASSWORD`, `stripeSecretKey`, `x-api-key`),
 * read word by word so `passport`, `monkey` or `tokenizer` do not count.
 */
const SECRET_WORDS = new Set([
  "secret",
  "password",
  "passwords",
  "passwd",
  "pwd",
  "passphrase",
  "token",
  "tokens",
  "apikey",
  "credential",
  "credentials",
  "creds",
  "bearer",
  "privatekey",
  "pepper",
]);

/** Secret words only at the end: `DB_PASS`, `basic_auth`, but not `auth_mount`, `pass_through`; `SECRETS_` is a namespace. */
const LAST_ONLY = new Set(["pass", "auth", "authorization", "secrets"]);

/** A name ending in one of these is about a secret, not one: `TOKEN_URL`, `SECRET_NAME`, `KEY_ID`. */
const NOT_LAST = new Set(
  (
    "id ids arn url uri urls endpoint host hostname domain port path file filename dir directory name names type kind length len size ttl timeout " +
    "expiry expires expiration header prefix suffix region enabled enable disabled required version count min max hint policy rotation format " +
    "algorithm alg field env label location ref provider mode strategy scope scopes user username email description pattern rule source param " +
    "method template title text encryption mount"
  ).split(" "),
);

/** Any of these anywhere: the value is public, derived or not a credential (`PUBLIC_KEY`, `PASSWORD_HASH`, `CACHE_KEY`). */
const NOT_ANY = new Set(
  (
    "public publishable pub hash hashed digest encrypted checksum fingerprint sha1 sha256 sha512 md5 cache sort primary foreign partition " +
    "idempotency lookup range row example sample placeholder dummy"
  ).split(" "),
);

export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function isSecretName(name: string): boolean {
  const parts = words(name);
  const last = parts[parts.length - 1];
  if (last === undefined || NOT_LAST.has(last) || parts.some((w) => NOT_ANY.has(w))) return false;
  const joined = parts.join("");
  if (parts.some((w) => SECRET_WORDS.has(w)) || LAST_ONLY.has(last) || joined.endsWith("apikey") || joined.endsWith("privatekey")) return true;
  // `STRIPE_KEY`, `signing_key`: a key of something; a bare `key` (a YAML list's key: field) is not.
  return (last === "key" || last === "keys") && parts.length > 1;
}

/** The AWS secret access key's names: `aws_secret_access_key`, `AWS_SECRET_KEY`, `awsSecret`. */
export function isAwsSecretName(name: string): boolean {
  const parts = words(name);
  // The cloud's word, not our provider's: a regex keeps the provider registry the only place naming one.
  const joined = parts.join("_");
  return parts.includes("secret") && (/(^|_)aws(_|$)/.test(joined) || joined.includes("secret_access"));
}
