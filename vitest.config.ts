import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The soak test and the other heavy suites (test/heavy: reload storms, Redis, Chromium, SIGTERM
    // under load) run on their own (npm run test:soak, vitest.soak.config.ts), once in CI.
    exclude: [...configDefaults.exclude, "test/soak/**", "test/heavy/**"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    typecheck: { enabled: true, include: ["test/types/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
  },
});
