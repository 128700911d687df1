import { randomBytes } from "node:crypto";
import { mkdtemp, open, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Hole } from "../../src/streams/hole.js";
import { readSparseFile, writeSparseFile } from "../../src/streams/sparse.js";

const MiB = 1024 * 1024;

describe("sparse files", () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), "lr-sparse-"))));
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("writeSparseFile leaves holes unallocated and ends with the right size, trailing hole included", async () => {
    const data = randomBytes(70_000);
    const path = join(dir, "w.img");
    async function* chunks(): AsyncGenerator<Buffer | Hole> {
      yield new Hole(8 * MiB);
      yield data;
      yield new Hole(32 * MiB);
    }
    expect(await writeSparseFile(chunks(), path)).toEqual({ size: 40 * MiB + 70_000, data: 70_000 });
    const st = await stat(path);
    expect(st.size).toBe(40 * MiB + 70_000);
    expect(st.blocks * 512).toBeLessThan(MiB);
    const back = await readFile(path);
    expect(back.subarray(8 * MiB, 8 * MiB + 70_000).equals(data)).toBe(true);
    expect(back.subarray(0, 8 * MiB).every((b) => b === 0)).toBe(true);
  });

  it("readSparseFile yields data and holes that rebuild the file exactly; a dense file is read as data only", async () => {
    const path = join(dir, "r.img");
    const f = await open(path, "w");
    const a = randomBytes(100_000);
    const b = randomBytes(5);
    await f.write(a, 0, a.length, 3 * MiB + 17);
    await f.write(b, 0, b.length, 9 * MiB);
    // Data in reads that follow one another, with holes between, so buffers are both reused and not.
    for (const at of [4 * MiB + 5, 5 * MiB, 8 * MiB - 3]) await f.write(randomBytes(1000), 0, 1000, at);
    await f.truncate(12 * MiB);
    await f.close();
    const items: (Buffer | Hole)[] = [];
    for await (const x of readSparseFile(path)) items.push(x);
    const holes = items.filter((x): x is Hole => x instanceof Hole).reduce((n, h) => n + h.length, 0);
    const data = items.filter((x): x is Buffer => !(x instanceof Hole)).reduce((n, d) => n + d.length, 0);
    expect(holes + data).toBe(12 * MiB);
    // Data in 64 KiB blocks around the written bytes: a tenth of a MiB, in at most a few blocks more.
    expect(data).toBeLessThanOrEqual(100_000 + 5 + 3000 + 7 * 65536);
    expect(items[0]).toBeInstanceOf(Hole);
    expect(items.at(-1)).toBeInstanceOf(Hole);
    // The items as yielded, kept without copying, still rebuild the file: a read buffer is never reused under data handed out.
    const rebuilt = Buffer.concat(items.map((x) => (x instanceof Hole ? Buffer.alloc(x.length) : x)));
    expect(rebuilt.equals(await readFile(path))).toBe(true);
    const copy = join(dir, "copy.img");
    await writeSparseFile(readSparseFile(path), copy);
    expect((await readFile(copy)).equals(await readFile(path))).toBe(true);
    const dense = join(dir, "dense.img");
    const g = await open(dense, "w");
    await g.write(Buffer.alloc(MiB), 0, MiB, 0); // written zeros: allocated, so not a sparse file
    await g.close();
    const denseItems: (Buffer | Hole)[] = [];
    for await (const x of readSparseFile(dense)) denseItems.push(x);
    expect(denseItems.every((x) => !(x instanceof Hole))).toBe(true);
  });
});
