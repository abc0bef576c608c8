import { type CommonOptions, reporterFor } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { ExitCode } from "../core/errors.js";
import { DESCRIPTORS } from "../providers/index.js";
import { table } from "../ui/table.js";

/** Read from the environment only: nothing is contacted. */
export async function providers(options: CommonOptions, deps: Deps): Promise<number> {
  const reporter = reporterFor(deps, options);
  const rows = DESCRIPTORS.map((d) => {
    const set = d.env.filter((v) => deps.env[v] !== undefined && deps.env[v] !== "");
    const configured = d.needsNoSetup === true || set.length > 0;
    return { name: d.name, title: d.title, available: true, configured, environment: set, how: d.how, capabilities: d.capabilities };
  });
  if (options.json) reporter.json({ command: "providers", providers: rows });
  else
    reporter.out(
      table(
        ["PROVIDER", "STATUS", "SEEN IN ENV", "HOW"],
        rows.map((r) => [r.name, r.configured ? "configured" : "available", r.environment.join(" "), r.how]),
      ),
    );
  return ExitCode.ok;
}
