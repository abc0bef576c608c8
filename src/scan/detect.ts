import { maskCredentials } from "../ui/mask.js";
import type { Assignment } from "./assignments.js";
import { cannotBeSecret, isPlaceholder, isReference } from "./benign.js";
import { looksRandom } from "./entropy.js";
import { isAwsSecretName, isSecretName } from "./names.js";
import { rulePriority, TOKEN_RULES } from "./rules.js";
import type { Hit } from "./types.js";

/** `scheme://user:password@host`: the user may be empty (`redis://:password@host`), the password not. */
const URL_PASSWORD = /\b([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s:/?#@'"`]*):([^\s/?#@'"`]+)@[^\s/?#'"`]+/g;
const AWS_SECRET = /^[A-Za-z0-9/+]{40}$/;

function tokenHits(line: string): Hit[] {
  const hits: Hit[] = [];
  for (const rule of TOKEN_RULES) {
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(line); m !== null; m = rule.pattern.exec(line)) {
      const value = m[1] ?? "";
      if (rule.accept && !rule.accept(value)) continue;
      hits.push({ rule: rule.id, confidence: rule.confidence, value, start: m.index, end: m.index + value.length, key: undefined, random: true });
    }
  }
  return hits;
}

function urlHits(line: string): Hit[] {
  const hits: Hit[] = [];
  URL_PASSWORD.lastIndex = 0;
  for (let m = URL_PASSWORD.exec(line); m !== null; m = URL_PASSWORD.exec(line)) {
    const [url, scheme = "", user = "", password = ""] = m;
    const start = m.index + scheme.length + user.length + 1;
    // Repeating the user name (postgres:postgres) is a local default, worth a look rather than an alarm.
    const weak = password === user || password.length < 6;
    hits.push({
      rule: "url-password",
      confidence: weak ? "low" : "high",
      value: password,
      start,
      end: start + password.length,
      key: undefined,
      preview: maskCredentials(url),
      random: looksRandom(password),
    });
  }
  return hits;
}

function assignedHits(pairs: readonly Assignment[]): Hit[] {
  const hits: Hit[] = [];
  for (const { key, value, start } of pairs) {
    const hit = { value, start, end: start + value.length, key };
    if (isAwsSecretName(key) && AWS_SECRET.test(value)) hits.push({ ...hit, rule: "aws-secret-access-key", confidence: "high", random: true });
    else if (isSecretName(key) && !cannotBeSecret(value, key)) {
      const random = looksRandom(value);
      hits.push({ ...hit, rule: "generic-secret", confidence: random ? "medium" : "low", random });
    }
  }
  return hits;
}

/**
 * Every secret on one line. Candidates of all rules are collected, references and placeholders
 * dropped, and where two overlap the more specific rule wins (a Stripe key assigned to
 * STRIPE_KEY is a stripe-secret-key, not a generic-secret). A token inside an assignment takes
 * the assignment's name.
 */
export function detectLine(line: string, pairs: readonly Assignment[]): Hit[] {
  const candidates = [...tokenHits(line), ...urlHits(line), ...assignedHits(pairs)]
    .filter((h) => !isPlaceholder(h.value) && !isReference(h.value))
    .sort((a, b) => (rulePriority.get(a.rule) ?? 0) - (rulePriority.get(b.rule) ?? 0) || a.start - b.start);
  const kept: Hit[] = [];
  for (const hit of candidates) {
    if (kept.some((k) => hit.start < k.end && k.start < hit.end)) continue;
    const owner = hit.key === undefined ? pairs.find((p) => p.start <= hit.start && hit.end <= p.start + p.value.length) : undefined;
    kept.push(owner ? { ...hit, key: owner.key } : hit);
  }
  return kept.sort((a, b) => a.start - b.start);
}
