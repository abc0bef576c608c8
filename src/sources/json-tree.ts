import { usageError } from "../core/errors.js";
import type { TreeEntry, TreeNode } from "./tree.js";

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SPACE = /[ \t\n\r]*/y;
const MAX_DEPTH = 500;

/** RFC 8259 like JSON.parse, keeping each key's line and each number's spelling; errors never quote the text. */
export function parseJsonTree(text: string, file: string): TreeNode {
  return new JsonReader(text, file).document();
}

class JsonReader {
  private at = 0;
  private line = 1;
  private lineStart = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  document(): TreeNode {
    const node = this.value(0);
    this.space();
    if (this.at < this.text.length) this.fail("unexpected text after the end of the document");
    return node;
  }

  private value(depth: number): TreeNode {
    this.space();
    if (depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
    const char = this.text[this.at];
    if (char === "{") return this.object(depth);
    if (char === "[") return this.array(depth);
    if (char === '"') return { kind: "scalar", text: this.string() };
    for (const word of ["true", "false", "null"]) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return word === "null" ? { kind: "null" } : { kind: "scalar", text: word };
      }
    }
    NUMBER.lastIndex = this.at;
    const number = NUMBER.exec(this.text)?.[0];
    if (number === undefined) return this.fail(char === undefined ? "unexpected end of input" : "expected a value");
    this.at += number.length;
    return { kind: "scalar", text: number };
  }

  private object(depth: number): TreeNode {
    const entries: TreeEntry[] = [];
    this.at++;
    this.space();
    if (this.text[this.at] === "}") {
      this.at++;
      return { kind: "map", entries };
    }
    do {
      this.space();
      if (this.text[this.at] !== '"') this.fail("expected a key in double quotes");
      const line = this.lineAt(this.at);
      const key = this.string();
      this.space();
      this.expect(":");
      entries.push({ key, line, node: this.value(depth + 1) });
      this.space();
    } while (this.text[this.at] === "," && ++this.at);
    this.expect("}");
    return { kind: "map", entries };
  }

  private array(depth: number): TreeNode {
    this.at++;
    this.space();
    if (this.text[this.at] !== "]") {
      do {
        this.value(depth + 1);
        this.space();
      } while (this.text[this.at] === "," && ++this.at);
    }
    this.expect("]");
    return { kind: "list" };
  }

  private string(): string {
    const open = this.at;
    let close = open + 1;
    while (close < this.text.length && this.text[close] !== '"') {
      if (this.text.charCodeAt(close) < 0x20) this.fail("a control character inside a string", close);
      close += this.text[close] === "\\" ? 2 : 1;
    }
    if (close >= this.text.length) this.fail("a string is never closed", open);
    let value: unknown;
    try {
      value = JSON.parse(this.text.slice(open, close + 1));
    } catch {
      this.fail("an invalid escape inside a string", open);
    }
    this.at = close + 1;
    return value as string;
  }

  private expect(char: string): void {
    if (this.text[this.at] !== char) this.fail(this.at >= this.text.length ? "unexpected end of input" : `expected '${char}'`);
    this.at++;
  }

  private space(): void {
    SPACE.lastIndex = this.at;
    this.at += SPACE.exec(this.text)?.[0].length ?? 0;
  }

  private lineAt(offset: number): number {
    for (let nl = this.text.indexOf("\n", this.lineStart); nl !== -1 && nl < offset; nl = this.text.indexOf("\n", nl + 1)) {
      this.line++;
      this.lineStart = nl + 1;
    }
    return this.line;
  }

  private fail(reason: string, offset = this.at): never {
    const line = this.lineAt(offset);
    const column = offset - this.lineStart + 1;
    throw usageError("SOURCE_INVALID", `${this.file}:${line}:${column}: not valid JSON: ${reason}`);
  }
}
