/**
 * Values that are never findings, whatever rule matched them: references to a secret kept elsewhere,
 * placeholders in example files, and (for the name-based rule) values that cannot be credentials.
 */

const REFERENCES = [
  /\$\{(?:secret|env):[^}]*\}/, // secretshift's own references
  /^secret:[A-Za-z0-9_-]+:\S/, // a cell scrubbed by `migrate --scrub reference`
  /\$\{[^}\s]*\}|^\$[A-Za-z_][A-Za-z0-9_]*$/, // shell, compose and dotenv-expand variables
  /\{\{[^}]*\}\}|<%.*%>|%\([A-Za-z_]+\)s/, // templates (Helm, Jinja, ERB, Python)
  /(?:process\.env|os\.environ|os\.getenv|System\.getenv|ENV\[|getenv\()/,
  /^(?:arn:aws[a-z-]*:(?:secretsmanager|ssm|kms):|op:\/\/|vault:|ref\+|@Microsoft\.KeyVault\(|projects\/[^/]+\/secrets\/)/,
  /^(?:ENC\[|\$ANSIBLE_VAULT;|vault:v\d+:|!vault)/, // encrypted in place (sops, Ansible Vault, Vault transit)
];

export const isReference = (value: string): boolean => REFERENCES.some((r) => r.test(value));

// Words count only as whole words, so a random token that happens to contain `tbd` or `fake` is
// still reported; AWS's documentation keys end in EXAMPLE or EXAMPLEKEY.
const PLACEHOLDER_WORDS =
  /(?:^|[^A-Za-z0-9])(?:change[_-]?me|replace[_-]?me|placeholder|example|dummy|sample|redacted|not[_-]?real|fake|todo|fixme|tbd|your)(?:$|[^A-Za-z0-9])|^your|EXAMPLE(?:KEY)?$|[xX]{4,}|\*{3,}|\.{3}|\u2026/i;
const PLACEHOLDER_VALUES = new Set(
  "password passwd secret token apikey api_key key value none null nil undefined true false test testing demo default changeit".split(" "),
);

/** `changeme`, `<your-key>`, `xxxxxxxx`, `sk_live_XXXX…`, AWS's documented `…EXAMPLE` keys, and empty. */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v === "" || /^(.)\1*$/.test(v)) return true;
  if (/^<[^<>]*>$|^\[[^[\]]*\]$|^\{[^{}]*\}$|^%[A-Z_]+%$|^__[A-Z0-9_]+__$/.test(v)) return true;
  return PLACEHOLDER_VALUES.has(v.toLowerCase()) || PLACEHOLDER_WORDS.test(v);
}

const HASHES = [
  /^\$(?:2[abxy]?|argon2(?:id|i|d)|scrypt|pbkdf2[\w-]*|1|5|6|7|y|gy|sha1|md5)\$/, // crypt(3) and PHC strings
  /^(?:pbkdf2_sha256|pbkdf2_sha1|argon2|bcrypt_sha256|bcrypt|scrypt|md5|sha1)\$/, // Django
  /^\{(?:S?SHA\d*|SMD5|CRYPT|BCRYPT|PBKDF2[\w-]*)\}/i, // LDAP
  /^(?:sha1|sha256|sha384|sha512)[-:]/, // Subresource Integrity, image digests
];

/**
 * For the name-based rule only: shapes a credential does not have. Prose (a space), command-line flags, numbers,
 * booleans, paths, URLs (a URL's password has its own rule), e-mail addresses, data: URIs, password
 * hashes, identifiers naming another setting (`STRIPE_KEY`, `config.secret`) and calls.
 */
export function cannotBeSecret(value: string, key: string | undefined): boolean {
  const v = value.trim();
  if (/\s/.test(v) || v.length < 8 || v.startsWith("--")) return true;
  if (/^[+-]?\d+(?:\.\d+)?[smhdwkKMG]?$|^(?:true|false|yes|no|on|off)$/i.test(v)) return true;
  if (/^(?:\.{1,2}\/|\/|~\/|[A-Za-z]:[\\/])|\/[^/]*\.[A-Za-z0-9]{1,5}$/.test(v)) return true;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\/|^data:|^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/.test(v)) return true;
  if (HASHES.some((r) => r.test(v))) return true;
  if (/^[A-Z][A-Z0-9_]*$|^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$|^[\w.$]+\(.*\)$/.test(v)) return true;
  return key !== undefined && v === key;
}
