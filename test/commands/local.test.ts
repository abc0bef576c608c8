import { commandSuite } from "../helpers/command-suite.js";

commandSuite({
  label: "local",
  start: async () => ({ provider: "local", env: {}, args: [], options: {}, stop: async () => {} }),
});
