import { CliError, ExitCode } from "../../core/errors.js";

// Safe as an AWS tag key or value and as Vault custom_metadata (printable): everything else is escaped.
const PLAIN = /^[A-Za-z0-9_.:/+@-]$/;
const ESCAPE = /^=[0-9A-F]{2}$/;

/** Role names, `host:port/db`: plain characters as they are, any other byte as `=XX`. */
export function encodeNote(text: string): string {
  let out = "";
  for (const ch of text) {
    if (PLAIN.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, "utf8")) out += `=${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export function decodeNote(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const escaped = text.slice(i, i + 3);
    if (ESCAPE.test(escaped)) {
      bytes.push(Number.parseInt(escaped.slice(1), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i] ?? "", "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

export interface NoteLimits {
  readonly key: number;
  readonly value: number;
  readonly where: string;
}

/** A CliError naming a note that does not fit, so every note is checked before the first write. */
export function encodeNotes(notes: Readonly<Record<string, string>>, prefix: string, limits: NoteLimits): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(notes)) {
    const key = `${prefix}${encodeNote(k)}`;
    const value = encodeNote(v);
    if (Buffer.byteLength(key) > limits.key || Buffer.byteLength(value) > limits.value) {
      throw new CliError("ROTATION_NOTE_TOO_LONG", `the rotation note "${k}" does not fit ${limits.where} once encoded`, {
        exitCode: ExitCode.failed,
        hint: `keys of at most ${limits.key} and values of at most ${limits.value} characters (characters other than A-Z a-z 0-9 _ . : / + @ - take 3)`,
      });
    }
    out[key] = value;
  }
  return out;
}

export function decodeNotes(entries: Readonly<Record<string, string>>, prefix: string): Record<string, string> {
  const notes: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries)) if (k.startsWith(prefix)) notes[decodeNote(k.slice(prefix.length))] = decodeNote(v);
  return notes;
}
