// The project's one list of Go modules is go.work: the dev runner (dev.mjs) and the root
// test script (go.mjs) read it, so a module added there by hand is started and tested too.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "..");

/** The module directories go.work uses, relative to the root ("services/users"). */
export function goModules() {
  const work = JSON.parse(execFileSync("go", ["work", "edit", "-json"], { cwd: root, encoding: "utf8" }));
  return (work.Use ?? []).map((use) => path.posix.normalize(use.DiskPath.replaceAll("\\", "/")));
}

/**
 * The programs among them: each module under services/ or dev/ whose main package is
 * cmd/<directory name>/ or the module root. libs/ holds libraries.
 * @returns {{ name: string, dir: string, pkg: string }[]}
 */
export function goPrograms() {
  const programs = [];
  for (const dir of goModules()) {
    if (!/^(services|dev)\//.test(dir)) continue;
    const name = path.posix.basename(dir);
    const cmd = path.join(root, dir, "cmd", name);
    if (fs.existsSync(cmd)) programs.push({ name, dir, pkg: `./cmd/${name}` });
    else if (isMainPackage(path.join(root, dir))) programs.push({ name, dir, pkg: "." });
  }
  return programs;
}

function isMainPackage(dir) {
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith(".go") && !file.endsWith("_test.go"))
    .some((file) => /^package main\b/m.test(fs.readFileSync(path.join(dir, file), "utf8")));
}
