import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    // Generated modules are large; the differential test builds C code.
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
