import { startAwsHarness } from "../helpers/aws-harness.js";
import { commandSuite } from "../helpers/command-suite.js";

commandSuite({
  label: "aws (wire-level Secrets Manager)",
  start: async () => {
    const h = await startAwsHarness();
    return { provider: "aws", env: h.env, args: [], options: h.options, stop: h.stop };
  },
});
