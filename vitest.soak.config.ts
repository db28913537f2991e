import { defineConfig } from "vitest/config";

// The heavy suites: the soak test (test/soak: hostile and normal traffic for about a minute) and
// test/heavy (reload storms, SIGTERM under load, Redis, Chromium). Run once in CI, serially
// (`npm run test:soak`), not with every `npm test` and not on both Node versions.
export default defineConfig({
  test: {
    include: ["test/soak/**/*.test.ts", "test/heavy/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 30_000,
  },
});
