// Benchmarks, run on demand (`npm run bench`). Each prints a ratio against a baseline measured in
// the same run, so figures compare across machines. Select with `npm run bench -- <name>`.
const suites = {
  startup: () => import("./startup.mjs"),
  "local-migrate": () => import("./local-migrate.mjs"),
  "env-large": () => import("./env-large.mjs"),
  database: () => import("./database.mjs"),
  "database-large": () => import("./database-large.mjs"),
  aws: () => import("./aws.mjs"),
  vault: () => import("./vault.mjs"),
};
const wanted = process.argv.slice(2);
for (const [name, load] of Object.entries(suites)) {
  if (wanted.length && !wanted.includes(name)) continue;
  const { run } = await load();
  console.log(`\n# ${name}`);
  await run();
}
