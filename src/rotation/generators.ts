import { CliError, ExitCode, usageError } from "../core/errors.js";
import { describeExit, type Shell } from "./shell.js";

export const DEFAULT_GENERATOR = "base64:48";

export interface GeneratorEffects {
  readonly randomBytes: (size: number) => Buffer;
  readonly shell: Shell;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface Generator {
  /** Safe to journal and print: no `command:` body. */
  readonly label: string;
  readonly entropyBits: number | undefined;
  generate(effects: GeneratorEffects): Promise<string>;
}

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGIT = "0123456789";
// No quote, backslash, space, `#` or `$`: the value must survive .env files, shells and URLs' userinfo less badly.
export const SYMBOL = "-_.!@%^*+=?:~";
export const PASSWORD_CLASSES = [LOWER, UPPER, DIGIT, SYMBOL] as const;
const ALNUM = LOWER + UPPER + DIGIT;
const MAX_N = 4096;

export function parseGenerator(spec: string): Generator {
  if (spec === "uuid") return { label: spec, entropyBits: 122, generate: async (e) => uuid(e.randomBytes) };
  if (spec.startsWith("command:")) {
    const command = spec.slice("command:".length);
    if (command.trim() === "") throw badSpec(spec, "command: needs a command after the colon");
    return { label: "command", entropyBits: undefined, generate: (e) => fromCommand(command, e) };
  }
  const [kind, count, ...rest] = spec.split(":");
  const n = Number(count);
  if (!["hex", "base64", "alnum", "password"].includes(kind ?? "")) throw badSpec(spec, "unknown kind");
  if (rest.length > 0 || count === undefined || !/^\d+$/.test(count) || n < 1 || n > MAX_N) throw badSpec(spec, `N must be a whole number from 1 to ${MAX_N}`);
  switch (kind) {
    case "hex":
      return { label: spec, entropyBits: n * 8, generate: async (e) => e.randomBytes(n).toString("hex") };
    case "base64":
      return { label: spec, entropyBits: n * 8, generate: async (e) => e.randomBytes(n).toString("base64") };
    case "password":
      if (n < PASSWORD_CLASSES.length) throw badSpec(spec, "password:N needs N ≥ 4 (one lower, upper, digit and symbol)");
      return { label: spec, entropyBits: Math.floor(n * Math.log2(PASSWORD_CLASSES.join("").length)) - 1, generate: async (e) => password(n, e.randomBytes) };
    default: // alnum
      return { label: spec, entropyBits: Math.floor(n * Math.log2(ALNUM.length)), generate: async (e) => pickChars(ALNUM, n, e.randomBytes) };
  }
}

/** Rejection sampling keeps the characters uniform. */
export function pickChars(alphabet: string, count: number, randomBytes: (size: number) => Buffer): string {
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < count) {
    for (const byte of randomBytes(Math.ceil((count - out.length) * 1.25) + 1)) {
      if (byte < limit && out.length < count) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/** Redrawing the whole value keeps it uniform over valid passwords. */
function password(n: number, randomBytes: (size: number) => Buffer): string {
  const alphabet = PASSWORD_CLASSES.join("");
  for (;;) {
    const value = pickChars(alphabet, n, randomBytes);
    if (PASSWORD_CLASSES.every((cls) => [...value].some((c) => cls.includes(c)))) return value;
  }
}

function uuid(randomBytes: (size: number) => Buffer): string {
  const b = Buffer.from(randomBytes(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function fromCommand(command: string, effects: GeneratorEffects): Promise<string> {
  const result = await effects.shell(command, effects.env, effects.cwd);
  // The command text may embed the value (`echo …`): messages name the generator kind only.
  if (result.code !== 0) throw generatorFailed(`the generator command ${describeExit(result)}`);
  const value = result.stdout.replace(/\r?\n$/, "");
  if (value === "") throw generatorFailed("the generator command printed nothing");
  return value;
}

const badSpec = (spec: string, why: string) =>
  usageError(
    "BAD_GENERATOR",
    `--generator "${spec.startsWith("command:") ? "command:…" : spec}": ${why}`,
    "use hex:N, base64:N, alnum:N, password:N, uuid or command:<cmd>",
  );

const generatorFailed = (message: string) =>
  new CliError("GENERATOR_FAILED", message, {
    exitCode: ExitCode.failed,
    hint: "run the command yourself and check it prints the new value on stdout and exits 0",
  });
