import { BIN, fmt, timeSpawn } from "./util.mjs";

/** Goal: `secrets --version` and `--help` within 1.3× of `node -e 0` — no SDK may load before a command needs it. */
export async function run() {
  const baseline = timeSpawn(["-e", "0"]);
  const version = timeSpawn([BIN, "--version"]);
  const help = timeSpawn([BIN, "--help"]);
  console.log(`node -e 0          ${fmt(baseline)}`);
  console.log(`secrets --version  ${fmt(version)}  ratio ${(version / baseline).toFixed(2)}× (goal ≤ 1.30×)`);
  console.log(`secrets --help     ${fmt(help)}  ratio ${(help / baseline).toFixed(2)}×`);
}
