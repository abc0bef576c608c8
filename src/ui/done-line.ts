import { digits } from "./digits.js";

/** What a live run did, how long it took, and the one command that undoes it (`null`: none does). */
export interface RunDone {
  readonly applied: number;
  readonly seconds: number;
  readonly runId: string;
  readonly undo: string | null;
}

export const runDone = (applied: number, startedMs: number, nowMs: number, runId: string, undo: string | null): RunDone => ({
  applied,
  seconds: (nowMs - startedMs) / 1000,
  runId,
  undo,
});

/** `applied 5 changes to aws in 1.2 s (run …); undo: secrets rollback aws --run …` and its kin. */
export function doneLine(verb: string, noun: string, where: string, d: RunDone): string {
  const count = `${digits(d.applied)} ${noun}${d.applied === 1 ? "" : "s"}`;
  return `${verb} ${count} ${where} in ${d.seconds.toFixed(1)} s (run ${d.runId})${d.undo ? `; undo: ${d.undo}` : ""}`;
}
