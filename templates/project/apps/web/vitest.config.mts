import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Unit tests (`pnpm test`): *.test.ts files next to the code they test, run in Node.
export default defineConfig({
  resolve: {
    // The same "@/..." import alias as tsconfig.json.
    alias: { "@": fileURLToPath(new URL(".", import.meta.url)) },
  },
  test: {
    environment: "node",
    include: ["**/*.test.ts", "**/*.test.tsx"],
    exclude: ["node_modules/**", ".next/**"],
  },
});
