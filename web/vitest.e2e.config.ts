// End-to-end tests: the real server serving the production build, started by
// scripts/web_test.sh (QA_E2E_URL and the users' passwords in the
// environment), driven in Debian's Chromium by playwright-core (e2e/).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
