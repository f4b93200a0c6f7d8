// ESLint "flat config" with Next.js' recommended rules (React, hooks, accessibility,
// Core Web Vitals) and the TypeScript rules. Run it with `pnpm lint`.
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  // Generated files: the build output and the type file `next build` writes.
  globalIgnores([".next/**", "out/**", "build/**", "next-env.d.ts"]),
]);
