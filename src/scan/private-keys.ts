import type { Hit } from "./types.js";

/**
 * PEM private key blocks, as files write them over many lines, as YAML block scalars indent them,
 * and as JSON (a GCP service-account key) or code strings keep them on one line with `\n` escapes.
 * Public keys and certificates are not secrets and do not match.
 */
const PEM = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----([\s\S]{0,40000}?)-----END \1PRIVATE KEY\2-----/g;
/** Header lines inside an encrypted PEM (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`, PGP `Version:`). */
const HEADER = /^\s*[A-Za-z-]+:.*$/gm;

/** The base64 body: escapes, quotes, string concatenation and indentation removed. */
export function pemBody(block: string): string {
  const inner = block.replace(/^-----BEGIN[^\n\\]*?-----/, "").replace(/-----END[\s\S]*$/, "");
  return inner
    .replace(/\\[rn]/g, "\n")
    .replace(HEADER, "")
    .replace(/[^A-Za-z0-9+/=]/g, "");
}

export function privateKeys(text: string): Hit[] {
  const hits: Hit[] = [];
  PEM.lastIndex = 0;
  for (let m = PEM.exec(text); m !== null; m = PEM.exec(text)) {
    const body = pemBody(m[0]);
    // `-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----` in documentation is not a key.
    if (body.length < 64) continue;
    hits.push({ rule: "private-key", confidence: "high", value: body, start: m.index, end: m.index + m[0].length, key: undefined, random: true });
  }
  return hits;
}
