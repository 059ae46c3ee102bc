import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { decodePng, encodePng } from '../../src/codec/png';
import { createRgbaImage } from '../../src/core/image';
import { startWranglerDev, type WranglerDev } from '../../training/reports/workerd/wrangler-dev';
import { summarise } from '../support/stats';
import { request, type Sample } from './workerd';

/*
 * `npm run bench:compare -- --before <checkout> --source <png> [--crop N] [--query Q] [--rounds R] [--cache on|off]`:
 * the same request, timed against this tree's Worker and an older commit's, both under `wrangler
 * dev` with the cache off, interleaved round by round so that both see the same machine. It answers
 * "is the new pipeline slower than the old one?" on a host whose speed moves from hour to hour,
 * which a number measured on another day cannot. `--before` is a checkout of the older commit
 * that can run `wrangler dev` (e.g. `git worktree add ../before <commit>` with a node_modules
 * link); the source is served from loopback, centre-cropped to N x N when `--crop` is given.
 * `--cache on` (the default, as deployed) makes every request a miss that also fills the cache;
 * `--cache off` times the pipeline alone.
 */

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    source: { type: 'string' },
    crop: { type: 'string' },
    query: { type: 'string', default: 'upscale=2' },
    rounds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    cache: { type: 'string', default: 'on' },
  },
  strict: true,
});
if (values.before === undefined || values.source === undefined) {
  throw new Error(
    'usage: npm run bench:compare -- --before <checkout of the older commit> --source <png> [--crop N] [--query upscale=2] [--rounds 10] [--warmup 2] [--cache on|off]',
  );
}
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);

const source = await sourceBytes(values.source, values.crop === undefined ? undefined : Number(values.crop));
const origin = createServer((request, response) => {
  if (!/^\/source-\d+\.png$/.test(request.url ?? '')) return void response.writeHead(404).end();
  response.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': source.length }).end(source);
});
await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
const vars = { ORIGIN: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`, CACHE: values.cache };

const builds: [string, WranglerDev][] = [];
try {
  builds.push(['before', await startWranglerDev({ cwd: values.before, vars })]);
  builds.push(['this tree', await startWranglerDev({ vars })]);
  const timings = new Map<string, Sample[]>(builds.map(([name]) => [name, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    // Alternate who goes first, so neither always runs right after the other's request.
    for (const [name, server] of round % 2 === 0 ? builds : [...builds].reverse()) {
      // A path of its own per request: with the cache on, as in production, every request is a miss that also fills the cache.
      // request() throws on any answer but a complete 200, naming the path and status.
      const sample = await request(server, `/source-${round}.png?${values.query}`);
      if (round >= warmup) timings.get(name)!.push(sample);
    }
  }
  console.log(`| Build | Runs | Response bytes | First byte p50 / p90 ms | Total p50 / p90 ms |`);
  console.log(`|---|---:|---:|---:|---:|`);
  for (const [name, runs] of timings) {
    const first = summarise(runs.map((run) => run.firstByteMs ?? Number.NaN));
    const total = summarise(runs.map((run) => run.ms));
    console.log(
      `| ${name} | ${runs.length} | ${runs[0]!.bytes} | ${first.p50.toFixed(0)} / ${first.p90.toFixed(0)} | ${total.p50.toFixed(0)} / ${total.p90.toFixed(0)} |`,
    );
  }
} finally {
  for (const [, server] of builds) await server.stop();
  origin.close();
}

async function sourceBytes(path: string, crop: number | undefined): Promise<Uint8Array> {
  const bytes = new Uint8Array(await readFile(path));
  if (crop === undefined) return bytes;
  const image = decodePng(bytes);
  if (crop > image.width || crop > image.height) throw new Error(`--crop ${crop} exceeds the ${image.width}x${image.height} source`);
  const cropped = createRgbaImage(crop, crop);
  const left = Math.floor((image.width - crop) / 2);
  const top = Math.floor((image.height - crop) / 2);
  for (let y = 0; y < crop; y++)
    cropped.data.set(image.data.subarray(((top + y) * image.width + left) * 4, ((top + y) * image.width + left + crop) * 4), y * crop * 4);
  return encodePng(cropped, true);
}
