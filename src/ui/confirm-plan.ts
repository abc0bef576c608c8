import { type CommonOptions, confirmLive } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { ExitCode } from "../core/errors.js";
import { survey } from "../core/migrate-passes.js";
import type { PlannedBatch } from "../core/plan-stream.js";
import { page } from "./pager.js";
import { isCancelled } from "./prompts.js";
import { planTable, type RenderedItem, summaryLine } from "./render-plan.js";
import type { Reporter } from "./reporter.js";
import { themeFor } from "./theme.js";

export interface FullPlan {
  /** The table above was cut: there is more to see than was shown. */
  readonly cut: boolean;
  /** The whole masked plan, read again from the sources. */
  readonly text: () => Promise<string>;
}

type Answer = "apply" | "show" | "cancel";

/**
 * `undefined` to go ahead, else the exit code: 1 when the answer was no, 130 for Ctrl-C or Esc.
 * When the table was cut, the question offers the full plan in a pager and is asked again after it;
 * the cursor starts on that offer, so Enter alone never applies changes nobody has seen.
 */
export async function confirmPlan(deps: Deps, options: CommonOptions, question: string, plan: FullPlan): Promise<number | undefined> {
  if (options.yes || !plan.cut) return confirmLive(deps, options, question);
  const theme = themeFor(deps.stderr, { env: deps.env, flag: options.color });
  const choices = [
    { name: "apply", value: "apply" as Answer },
    { name: "show the full plan", value: "show" as Answer },
    { name: "cancel", value: "cancel" as Answer },
  ];
  try {
    for (;;) {
      const answer = await deps.prompt.select(question, choices, theme, "show");
      if (answer === "apply") return undefined;
      if (answer === "cancel") return ExitCode.failed;
      await page(deps, await plan.text());
    }
  } catch (e) {
    if (isCancelled(e)) return ExitCode.interrupted;
    throw e;
  }
}

/** Every row of the plan, masked as in the table, from one more read of the sources (the first pass kept 200). */
export async function fullPlanText(batches: AsyncIterable<PlannedBatch>, reporter: Reporter, columns: Columns): Promise<string> {
  const all = await collectPlan(batches, reporter, columns);
  const summary: Record<string, number> = {};
  for (const item of all) summary[item.action] = (summary[item.action] ?? 0) + 1;
  return `${planTable(reporter.paint, all)}\n${summaryLine(summary)}`;
}

type Columns = Parameters<typeof survey>[3];

export async function collectPlan(batches: AsyncIterable<PlannedBatch>, reporter: Reporter, columns: Columns): Promise<RenderedItem[]> {
  const all: RenderedItem[] = [];
  const sink = {
    get count() {
      return all.length;
    },
    add: (items: readonly RenderedItem[]) => void all.push(...items),
  };
  await survey(batches, sink, reporter, columns, { quiet: true });
  reporter.clearProgress();
  return all;
}
