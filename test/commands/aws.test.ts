import { startAwsHarness } from "../helpers/aws-harness.js";
import { commandSuite } from "../helpers/command-suite.js";
import { type AwsServerOptions, FAITHFUL_AWS } from "../servers/aws-secrets-manager.js";

for (const [label, options] of [
  ["aws (wire-level Secrets Manager)", {}],
  ["aws as documented: 5 s listing lag, asynchronous force-delete, strict CreateSecret", FAITHFUL_AWS],
] as [string, AwsServerOptions][]) {
  commandSuite({
    label,
    start: async () => {
      const h = await startAwsHarness(options);
      return { provider: "aws", env: h.env, args: [], options: h.options, server: h.server, stop: h.stop };
    },
  });
}
