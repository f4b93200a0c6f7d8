import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Unit tests (`pnpm test`): *.test.ts files next to the code they test, run in Node.
export default defineConfig({
  resolve: {
    alias: {
      // The same "@/..." import alias as tsconfig.json.
      "@": here("."),
      // "server-only" throws unless it is resolved with React's "react-server" condition,
      // as Next.js does for server code. Tests are server code too: give them the
      // package's own empty module.
      "server-only": here("node_modules/server-only/empty.js"),
    },
  },
  test: {
    environment: "node",
    include: ["**/*.test.ts", "**/*.test.tsx"],
    exclude: ["node_modules/**", ".next/**"],
  },
});
