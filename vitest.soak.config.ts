import { defineConfig } from "vitest/config";

// The soak test (test/soak): hostile and normal traffic for about a minute. Run once in CI
// (`npm run test:soak`), not with every `npm test` and not on both Node versions.
export default defineConfig({
  test: {
    include: ["test/soak/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 30_000,
  },
});
