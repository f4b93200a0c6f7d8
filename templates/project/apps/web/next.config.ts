import fs from "node:fs";
import path from "node:path";
import type { NextConfig } from "next";

// Secrets and settings live in one .env.local at the monorepo root, shared with the Go
// services; Next.js itself only reads env files next to this app. Variables already set
// in the environment win (Node's loader never overrides them), so CI and production
// deployments keep full control.
const rootEnv = path.resolve(process.cwd(), "../../.env.local");
if (fs.existsSync(rootEnv)) {
  process.loadEnvFile(rootEnv);
}

const nextConfig: NextConfig = {
  // Do not advertise the framework in an X-Powered-By header.
  poweredByHeader: false,
  // The Docker image (Dockerfile) builds with NEXT_OUTPUT=standalone: `next build` then
  // also writes .next/standalone, a server.js with only the node_modules it traced as
  // needed, which is all the image ships. Elsewhere the default output stays, because
  // `next start` (pnpm start, the e2e tests) does not serve a standalone build.
  output: process.env.NEXT_OUTPUT === "standalone" ? "standalone" : undefined,
  // Trace from the monorepo root: pnpm keeps the packages in ../../node_modules/.pnpm.
  outputFileTracingRoot: path.resolve(process.cwd(), "../.."),
};

export default nextConfig;
