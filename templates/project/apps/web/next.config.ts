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
};

export default nextConfig;
