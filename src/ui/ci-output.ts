import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Deps } from "../core/deps.js";
import type { RenderedItem } from "./render-plan.js";

export interface CiOptions {
  readonly format?: string;
  readonly junit?: string;
  readonly exact?: boolean;
}

/** `--format github`, or automatically inside GitHub Actions. */
export const githubFormat = (deps: Pick<Deps, "env">, options: CiOptions) =>
  options.format === "github" || (options.format === undefined && deps.env.GITHUB_ACTIONS === "true");

/**
 * The CI extras every command's result can publish: workflow annotations (stderr, so stdout stays
 * one JSON document), the step summary, and a JUnit report. None of them ever holds a value.
 */
export async function publishCi(
  deps: Pick<Deps, "env" | "stderr" | "cwd" | "clock">,
  options: CiOptions,
  title: string,
  summary: Record<string, number>,
  items: readonly RenderedItem[],
  started: number,
): Promise<void> {
  if (githubFormat(deps, options)) {
    const { annotations, appendStepSummary, stepSummary } = await import("./github.js");
    for (const line of annotations(items)) deps.stderr.write(`${line}\n`);
    const summaryFile = deps.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) await appendStepSummary(summaryFile, stepSummary(title, summary, items));
  }
  if (options.junit) {
    const { junitReport } = await import("./junit.js");
    await writeFile(resolve(deps.cwd, options.junit), junitReport(title, items, Boolean(options.exact), (deps.clock.now().getTime() - started) / 1000));
  }
}
