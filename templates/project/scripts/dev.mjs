// Starts the whole stack for development (`pnpm dev`) or from built artefacts
// (`pnpm start`): the web app, and whichever of the Go services this project has.
// Each process's output is prefixed with its name; Ctrl-C (or any process dying) stops
// them all, process group by process group, so nothing is left listening on a port.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { goPrograms as listGoPrograms, root } from "./go-work.mjs";

const mode = process.argv.includes("--start") ? "start" : "dev";

// One .env.local at the root configures every process (Next.js loads it too, see
// apps/web/next.config.ts). Variables already in the environment win.
const envFile = path.join(root, ".env.local");
if (fs.existsSync(envFile)) process.loadEnvFile(envFile);

const mockURL = process.env.MOCK_OAUTH_URL || "http://localhost:9400";
const usesMock = ["GOOGLE_ISSUER", "NAVER_AUTH_URL", "KAKAO_ISSUER"].some((name) =>
  (process.env[name] || "").startsWith(mockURL),
);

// The Go programs of the modules go.work lists (scripts/go-work.mjs); the stand-in only
// while a provider points at it.
const goPrograms = listGoPrograms().filter(({ name }) => name !== "mock-oauth" || usesMock);

// Build the Go programs first, so a compile error stops here with a clear message and
// the services start as plain binaries (a signal then reaches the program itself, not
// just `go run`).
const bin = path.join(root, ".bin");
for (const { name, dir, pkg } of goPrograms) {
  const built = spawnSync("go", ["build", "-o", path.join(bin, name), pkg], {
    cwd: path.join(root, dir),
    stdio: "inherit",
  });
  if (built.status !== 0) {
    console.error(`[dev] building ${name} failed; fix it and run pnpm ${mode} again.`);
    process.exit(built.status ?? 1);
  }
}

const colours = [36, 35, 33, 32, 34];
const children = [];
let stopping = false;

function run(name, command, args, cwd) {
  const colour = colours[children.length % colours.length];
  const prefix = `\x1b[${colour}m[${name}]\x1b[0m `;
  // detached: each process leads its own group, so stopping kills its children too
  // (next start forks a next-server; pnpm runs next).
  const child = spawn(command, args, { cwd, env: process.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on("line", (line) => console.log(prefix + line));
  }
  child.on("exit", (code, signal) => {
    child.exited = true;
    if (!stopping) {
      console.error(`${prefix}exited (${signal ?? code}); stopping everything.`);
      stop(code || 1);
    } else if (children.every((c) => c.exited)) {
      process.exit(process.exitCode ?? 0);
    }
  });
  children.push(child);
}

function stop(code) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  for (const child of children) {
    if (!child.exited) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
  // The gateway drains for up to 10 s; after that, force.
  setTimeout(() => {
    for (const child of children) {
      if (!child.exited) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    process.exit(code);
  }, 12_000).unref();
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

for (const { name } of goPrograms) run(name, path.join(bin, name), [], root);
// next itself rather than `pnpm --filter web`, so Ctrl-C doesn't end in pnpm's error report.
const web = path.join(root, "apps", "web");
run("web", path.join(web, "node_modules", ".bin", "next"), [mode], web);
