import { constants } from "node:fs";
import { open, unlink, type FileHandle } from "node:fs/promises";

/**
 * A download's target, opened as virsh opens it (cmdVolDownload,
 * cmdScreenshot): created if it did not exist, else truncated. When the
 * download fails, a file this run created is removed; one that existed
 * before is never removed, and keeps what arrived before the failure.
 */
export class TargetFile {
  private constructor(
    readonly path: string,
    readonly handle: FileHandle,
    /** This run created the file: it may remove it again. */
    readonly created: boolean,
  ) {}

  static async open(path: string): Promise<TargetFile> {
    const { O_WRONLY, O_CREAT, O_EXCL, O_TRUNC } = constants;
    try {
      return new TargetFile(path, await open(path, O_WRONLY | O_CREAT | O_EXCL, 0o666), true);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    return new TargetFile(path, await open(path, O_WRONLY | O_TRUNC, 0o666), false);
  }

  /** After a failure: closes the file, and removes it when this run created it. */
  async discard(): Promise<void> {
    // A write stream on the handle may have closed it already.
    await this.handle.close().catch(() => {});
    if (this.created) await unlink(this.path).catch(() => {});
  }
}
