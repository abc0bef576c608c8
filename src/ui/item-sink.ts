import type { OutputStream } from "../core/deps.js";
import { isCliError } from "../core/errors.js";
import { jsonItem, PROBLEM_ACTIONS, type RenderedItem } from "./render-plan.js";

const HEAD = 200;
const PROBLEMS = 1000;

/** So a million-row run never holds a million rows: counts, the first rows, the problems, and `--json` written as it comes. */
export class ItemSink {
  readonly summary: Record<string, number>;
  readonly head: RenderedItem[] = [];
  readonly problems: RenderedItem[] = [];
  readonly hints = new Set<string>();
  count = 0;
  shown = 0;
  private opened = false;
  private closed = false;

  constructor(
    private readonly out: OutputStream | undefined,
    private readonly header: Record<string, unknown>,
    actions: readonly string[],
    private readonly showable: (item: RenderedItem) => boolean = () => true,
  ) {
    this.summary = Object.fromEntries(actions.map((a) => [a, 0]));
  }

  add(items: readonly RenderedItem[]): void {
    for (const item of items) {
      this.summary[item.action] = (this.summary[item.action] ?? 0) + 1;
      if (this.showable(item)) {
        if (this.head.length < HEAD) this.head.push(item);
        this.shown++;
      }
      if (PROBLEM_ACTIONS.has(item.action) && this.problems.length < PROBLEMS) this.problems.push(item);
      if (item.hint) this.hints.add(item.hint);
      if (this.out) this.out.write(`${this.open() ? "," : ""}\n    ${JSON.stringify(jsonItem(item))}`);
      this.count++;
    }
  }

  close(tail: Record<string, unknown>): void {
    if (!this.out || this.closed) return;
    this.open();
    this.closed = true;
    const rest = JSON.stringify(tail, null, 2).slice(1);
    this.out.write(`${this.count > 0 ? "\n  " : ""}]${rest === "}" ? "\n}" : `,${rest}`}\n`);
  }

  /** Ends the document with an `error` key, marked so main does not print a second JSON document. */
  fail(error: unknown): void {
    if (!this.opened) return;
    const known = isCliError(error) ? error : undefined;
    this.close({ error: { code: known?.code ?? "INTERNAL", message: known?.message ?? "unexpected error" } });
    if (error && typeof error === "object") Object.assign(error, { jsonReported: true });
  }

  notable(): RenderedItem[] {
    const seen = new Set(this.problems.map((i) => i.name));
    return [...this.problems, ...this.head.filter((i) => !seen.has(i.name))];
  }

  private open(): boolean {
    if (!this.opened) {
      this.opened = true;
      this.out?.write(`${JSON.stringify(this.header, null, 2).slice(0, -2)},\n  "items": [`);
      return false;
    }
    return this.count > 0;
  }
}
