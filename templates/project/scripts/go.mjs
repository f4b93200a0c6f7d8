// `node scripts/go.mjs vet|test [flags]` runs go vet or go test over every module go.work
// lists (the root package.json's test:go). In a workspace ./... does not cross module
// roots, so each module is named.
import { spawnSync } from "node:child_process";
import { goModules, root } from "./go-work.mjs";

const [command, ...flags] = process.argv.slice(2);
if (command !== "vet" && command !== "test") {
  console.error("usage: node scripts/go.mjs vet|test [go flags]");
  process.exit(2);
}
const packages = goModules().map((dir) => `./${dir}/...`);
const run = spawnSync("go", [command, ...flags, ...packages], { cwd: root, stdio: "inherit" });
process.exit(run.status ?? 1);
