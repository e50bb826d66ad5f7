// The web app's benchmark (bench/web_bench.sh): the release server and the
// production build in headless Chromium; figures printed, none asserted.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["bench/**/*.measure.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
});
