import type { Confidence } from "./types.js";

export interface RuleInfo {
  readonly id: string;
  readonly title: string;
  readonly confidence: Confidence;
  readonly description: string;
}

/** A rule recognised by the token's own format, wherever it appears on a line. */
export interface TokenRule extends RuleInfo {
  /** Global; the secret is capture group 1. */
  readonly pattern: RegExp;
  /** A further check of the candidate (a JWT's header must decode). */
  readonly accept?: (token: string) => boolean;
}

// A token must not be the middle of a longer run of its own alphabet, so a random base64 blob
// (a lockfile's integrity hash, an inline image) cannot contain one by chance.
const L = "(?<![A-Za-z0-9])";
const R = "(?![A-Za-z0-9])";
const R_ = "(?![A-Za-z0-9_-])";
const token = (body: string, right = R) => new RegExp(`${L}(${body})${right}`, "g");

function jwtHeader(candidate: string): boolean {
  try {
    const header = JSON.parse(Buffer.from(candidate.slice(0, candidate.indexOf(".")), "base64url").toString("utf8")) as { alg?: unknown };
    return typeof header === "object" && header !== null && typeof header.alg === "string" && header.alg.toLowerCase() !== "none";
  } catch {
    return false;
  }
}

/** In priority order: where two candidates overlap, the earlier rule wins. */
export const TOKEN_RULES: readonly TokenRule[] = [
  {
    id: "aws-access-key-id",
    title: "AWS access key ID",
    confidence: "high",
    description: "AKIA/ASIA/ABIA/ACCA followed by 16 base32 characters",
    pattern: token("(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}"),
  },
  {
    id: "github-token",
    title: "GitHub token",
    confidence: "high",
    description: "ghp_, gho_, ghu_, ghs_, ghr_ and 36 characters",
    pattern: token("gh[pousr]_[A-Za-z0-9]{36}"),
  },
  {
    id: "github-fine-grained-token",
    title: "GitHub fine-grained token",
    confidence: "high",
    description: "github_pat_ with its two parts",
    pattern: token("github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}"),
  },
  {
    id: "gitlab-token",
    title: "GitLab access token",
    confidence: "high",
    description: "glpat- and 20 or more characters",
    pattern: token("glpat-[A-Za-z0-9_-]{20,}", R_),
  },
  {
    id: "stripe-secret-key",
    title: "Stripe secret or restricted key",
    confidence: "high",
    description: "sk_live_, sk_test_, rk_live_, rk_test_ keys (publishable pk_ keys are public)",
    pattern: token("(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{24,247}"),
  },
  {
    id: "stripe-webhook-secret",
    title: "Stripe webhook signing secret",
    confidence: "high",
    description: "whsec_ secrets",
    pattern: token("whsec_[A-Za-z0-9+/]{32,}={0,2}"),
  },
  {
    id: "slack-token",
    title: "Slack token",
    confidence: "high",
    description: "xoxb-, xoxp-, xoxa-, xoxo-, xoxr-, xoxs- and xapp- tokens",
    pattern: token("xox[abposr]-[0-9]{8,}-[A-Za-z0-9-]{8,}|xapp-[0-9]-[A-Z0-9]{8,}-[0-9]{8,}-[A-Za-z0-9]{32,}", R_),
  },
  {
    id: "slack-webhook-url",
    title: "Slack incoming webhook URL",
    confidence: "high",
    description: "https://hooks.slack.com/services/… and /workflows/… URLs",
    pattern: token("https://hooks\\.slack\\.com/(?:services|workflows)/[A-Za-z0-9_/+-]{20,}", R_),
  },
  { id: "google-api-key", title: "Google API key", confidence: "high", description: "AIza and 35 characters", pattern: token("AIza[0-9A-Za-z_-]{35}", R_) },
  {
    id: "anthropic-api-key",
    title: "Anthropic API key",
    confidence: "high",
    description: "sk-ant-api03-… and sk-ant-admin01-… keys",
    pattern: token("sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{32,}", R_),
  },
  {
    id: "openai-api-key",
    title: "OpenAI API key",
    confidence: "high",
    description: "sk-, sk-proj-, sk-svcacct-, sk-admin- keys carrying OpenAI's T3BlbkFJ marker",
    pattern: token("sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}", R_),
  },
  { id: "npm-token", title: "npm access token", confidence: "high", description: "npm_ and 36 characters", pattern: token("npm_[A-Za-z0-9]{36}") },
  {
    id: "sendgrid-api-key",
    title: "SendGrid API key",
    confidence: "high",
    description: "SG. and its two base64url parts",
    pattern: token("SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}", R_),
  },
  {
    id: "vault-token",
    title: "HashiCorp Vault token",
    confidence: "high",
    description: "hvs. and hvb. tokens",
    pattern: token("hv[sb]\\.[A-Za-z0-9_-]{24,}", R_),
  },
  {
    id: "jwt",
    title: "JSON Web Token",
    confidence: "medium",
    description: "three base64url parts whose header decodes to JSON naming a signing algorithm (unsigned alg=none tokens are left out)",
    pattern: token("eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{16,}", R_),
    accept: jwtHeader,
  },
];

/** Rules that need more than one token's format; the detectors live in their own files. */
export const OTHER_RULES: readonly RuleInfo[] = [
  {
    id: "private-key",
    title: "Private key",
    confidence: "high",
    description: "a PEM private key block (RSA, EC, DSA, OPENSSH, PKCS#8, encrypted, PGP), also on one line with \\n escapes",
  },
  {
    id: "aws-secret-access-key",
    title: "AWS secret access key",
    confidence: "high",
    description: "40 base64 characters assigned to a name that says AWS and secret (aws_secret_access_key, AWS_SECRET_KEY)",
  },
  {
    id: "url-password",
    title: "Password in a URL",
    confidence: "high",
    description: "scheme://user:password@host with a real password (low when it repeats the user)",
  },
  {
    id: "generic-secret",
    title: "Secret assigned to a secret-like name",
    confidence: "medium",
    description: "a value assigned to a name like *_SECRET, *_KEY, *_TOKEN, PASSWORD: medium when it looks random (entropy), low otherwise",
  },
];

export const RULES: readonly RuleInfo[] = [OTHER_RULES[0] as RuleInfo, ...TOKEN_RULES, ...OTHER_RULES.slice(1)];

/** Overlapping candidates: the rule earlier in RULES wins. */
export const rulePriority = new Map(RULES.map((r, i) => [r.id, i]));
