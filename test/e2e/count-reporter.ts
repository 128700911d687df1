import type { Reporter, TestModule } from "vitest/node";
import { daemonVersionFromEnv } from "../../src/testing/prefix.js";

/** One line at the end of a run: how the end-to-end tests fared, and against which daemon. */
export default class E2eCountReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, skipped: 0, failed: 0, pending: 0 };
    let files = 0;
    // A file whose hooks failed has its tests skipped, not failed: count it apart.
    let failedFiles = 0;
    for (const m of modules) {
      if (!/[/\\]test[/\\]e2e[/\\]/.test(m.moduleId)) continue;
      files++;
      if (m.state() === "failed") failedFiles++;
      for (const t of m.children.allTests()) counts[t.result().state]++;
    }
    if (files === 0) return;
    const daemon = daemonVersionFromEnv() === "11.3" ? "libvirt 11.3 (scripts/libvirt-11.sh)" : "the system's libvirt";
    process.stdout.write(
      `\ne2e against ${daemon}: ${counts.passed} passed, ${counts.skipped} skipped, ${counts.failed} failed in ${files} files${failedFiles > 0 ? ` (${failedFiles} files failed)` : ""}\n`,
    );
  }
}
