// Save a screenshot of a running domain to a file.
// Run: node node_modules/libvirt-remote/dist/examples/screenshot.js URI [DOMAIN=test] [FILE=screenshot.png]
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { open } from "libvirt-remote";

const conn = await open(process.argv[2]);
const dom = await conn.domain(process.argv[3] ?? "test");
const { mime, stream } = await dom.screenshot(0);
await pipeline(stream, createWriteStream(process.argv[4] ?? "screenshot.png"));
console.log(`saved ${mime}`);
await conn.close();
