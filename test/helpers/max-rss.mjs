// Loaded with `node --import` into a spawned CLI: on exit, writes the process's peak resident set
// size (bytes) to $SECRETSHIFT_MAX_RSS_FILE, measured by the kernel (getrusage), not sampled.
import { writeFileSync } from "node:fs";

const file = process.env.SECRETSHIFT_MAX_RSS_FILE;
if (file) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
