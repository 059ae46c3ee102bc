import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng, encodePng } from '../../src/codec/png';
import type { RgbaImage } from '../../src/core/image';
import { Canvas } from '../support/samples/paint';
import { dryRunBundle, GZIP_BUDGET_BYTES, judgeBundle, ROOT, UNCOMPRESSED_BUDGET_BYTES } from './bundle-size';
import { startWranglerDev, type WranglerDev } from '../../training/reports/workerd/wrangler-dev';

/*
 * The package as someone else's Worker gets it: `npm pack` (which builds dist/ through `prepack`),
 * installed from the tarball into a fresh project in the temp folder, mounted on a sub-route of
 * that project's own Hono app, type-checked against the shipped declarations, bundled by wrangler
 * with no module rules of its own, and run in workerd by `wrangler dev` against an origin on
 * 127.0.0.1. `npm run test:package`.
 */

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
const manifest = JSON.parse(readFileSync(join(ROOT, 'model/manifest.json'), 'utf8')) as { models: { file: string }[] };
const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8'))![1]!;

const SOURCE_PATH = '/img/photos/pic.png';
const source = new Canvas(48, 32).fill((x, y) => [40 + x * 4, 60 + y * 5, 200 - x * 2, 255]).disc(24, 16, 10, [250, 240, 90, 255]).image;

const consumerIndex = `import { Hono } from 'hono';
import { handleError, upscale, urlPrefixOrigin } from 'wdsr-edge';

type Env = { IMAGE_ORIGIN: string };

const app = new Hono<{ Bindings: Env }>();
app.get('/', (c) => c.text('consumer home'));
// The package's middleware on a sub-route, its origin from a variable; the rest is the app's own.
app.use('/img/*', upscale({ origin: (c) => urlPrefixOrigin(c.env.IMAGE_ORIGIN), limits: { outputPixels: 1 << 20 } }));
app.get('/img/*', (c) => c.text("the consumer's own handler"));
app.onError(handleError);

export default app;
`;

// Type-checked only (not imported by the Worker): the declarations are real types, not \`any\`.
const consumerTypes = `import { upscale, type Origin, type UpscaleMiddlewareOptions } from 'wdsr-edge';
import type { MiddlewareHandler } from 'hono';

const origin: Origin = { fetch: async () => new Response(null, { status: 404 }) };
const options: UpscaleMiddlewareOptions = { origin, cache: false, limits: { outputPixels: 1 << 20 } };
export const handler: MiddlewareHandler = upscale(options);
// @ts-expect-error: origin is required
upscale({ cache: false });
// @ts-expect-error: limits are numbers
upscale({ origin, limits: { outputPixels: '1' } });
`;

let temp: string;
let tarball: string;
let consumer: string;
let origin: Server;
let dev: WranglerDev | undefined;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'wdsr-package-'));
  await run('npm', ['pack', '--pack-destination', temp], { cwd: ROOT, maxBuffer: 64 << 20 });
  tarball = join(temp, `wdsr-edge-${pkg.version}.tgz`);

  const png = encodePng(source, true);
  origin = createServer((request, response) => {
    if (request.url === SOURCE_PATH) response.writeHead(200, { 'Content-Type': 'image/png' }).end(png);
    else response.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

  consumer = join(temp, 'consumer');
  mkdirSync(join(consumer, 'src'), { recursive: true });
  const files: Record<string, string> = {
    'package.json': JSON.stringify(
      { name: 'consumer', private: true, type: 'module', dependencies: { 'wdsr-edge': `file:${tarball}`, hono: pkg.devDependencies.hono } },
      null,
      2,
    ),
    'src/index.ts': consumerIndex,
    'src/types.ts': consumerTypes,
    // No [[rules]]: the package's models are `.bin` (Data) and its WebAssembly `.wasm` (CompiledWasm) modules, wrangler's defaults.
    'wrangler.toml': [
      'name = "wdsr-consumer"',
      'main = "src/index.ts"',
      `compatibility_date = "${compatibilityDate}"`,
      'compatibility_flags = ["nodejs_compat"]',
      '[vars]',
      `IMAGE_ORIGIN = "${originUrl}"`,
      '',
    ].join('\n'),
    // The strictest resolution (explicit file names, "exports" with "types"), with workers-types from this repository.
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023'],
        types: [],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
      },
      files: ['src/index.ts', 'src/types.ts', join(ROOT, 'node_modules/@cloudflare/workers-types/index.d.ts')],
    }),
  };
  for (const [path, text] of Object.entries(files)) writeFileSync(join(consumer, path), text);
  // From npm's cache where it can (this repository's install filled it); the registry otherwise.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: consumer, maxBuffer: 64 << 20 });
}, 240_000);

afterAll(async () => {
  await dev?.stop();
  origin?.close();
  if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
});

describe('wdsr-edge as an installed package', () => {
  it('packs the compiled entries, their declarations and the shipped models, and nothing else', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout
      .split('\n')
      .filter(Boolean)
      .map((file) => file.replace(/^package\//, ''));
    console.log(`[package] ${tarball.split('/').pop()}: ${(statSync(tarball).size / 1024).toFixed(1)} KiB, ${files.length} files`);
    for (const entry of [
      'dist/src/package-entry.js',
      'dist/src/package-entry.d.ts',
      'dist/src/client/index.js',
      'dist/src/client/index.d.ts',
      'dist/model/manifest.json',
      'package.json',
      'README.md',
    ]) {
      expect(files).toContain(entry);
    }
    for (const { file } of manifest.models) expect(files).toContain(`dist/model/${file}.bin`);
    expect(files.filter((file) => !/^dist\/(src|model)\//.test(file)).sort()).toEqual(['README.md', 'docs/package-and-deploy.md', 'package.json']);
    expect(files.filter((file) => /^(src|test|training|model)\/|\.onnx$|\.log$|(?<!\.d)\.ts$/.test(file))).toEqual([]);
  });

  it('type-checks a consumer against the shipped declarations (NodeNext resolution)', async () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', join(consumer, 'tsconfig.json')], { cwd: consumer }).catch((error: { stdout: string }) => error);
    expect(result.stdout).toBe('');
  });

  it('bundles with `wrangler deploy --dry-run` and no module rules, within the size budgets', async () => {
    const bundle = await dryRunBundle(consumer);
    console.log(`[package] consumer Worker: ${judgeBundle(bundle).summary}`);
    if (bundle.wranglerSummary !== undefined) console.log(`[package] wrangler: ${bundle.wranglerSummary}`);
    const names = bundle.files.map((file) => file.path);
    for (const { file } of manifest.models) expect(names.some((name) => name.endsWith(`-${file}.bin`))).toBe(true);
    expect(names.some((name) => name.endsWith('-ort-wasm-simd-threaded.wasm'))).toBe(true);
    expect(bundle.gzipBytes).toBeLessThan(GZIP_BUDGET_BYTES);
    expect(bundle.bytes).toBeLessThan(UNCOMPRESSED_BUDGET_BYTES);
  });

  it('answers ?upscale=2 on its sub-route in workerd (`wrangler dev`) and leaves the rest to the app', async () => {
    dev = await startWranglerDev({ cwd: consumer, timeoutMs: 90_000 });
    const response = await fetch(`${dev.url}${SOURCE_PATH}?upscale=2`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(response.status, `${new TextDecoder().decode(bytes.subarray(0, 500))}\n${dev.output()}`).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('image/png');
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const image = decodePng(bytes);
    expect([image.width, image.height]).toEqual([source.width * 2, source.height * 2]);
    expect(meanDifferenceFromNearest(image, source)).toBeLessThan(12);

    expect(await (await fetch(`${dev.url}${SOURCE_PATH}`)).text()).toBe("the consumer's own handler");
    expect(await (await fetch(`${dev.url}/`)).text()).toBe('consumer home');
  });

  it('bundles `wdsr-edge/client` for the browser', async () => {
    const result = await build({
      stdin: { contents: "export { createBrowserUpscaler, upscaleBicubic, RUNTIME_WASM_FILES } from 'wdsr-edge/client';", resolveDir: consumer, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(Object.keys(result.metafile.inputs).some((input) => input.includes('node_modules/wdsr-edge/dist/src/client/index.js'))).toBe(true);
  });
});

/** Mean absolute RGB difference (0..255) between `image` and `source` enlarged by pixel repetition: the picture, not noise. */
function meanDifferenceFromNearest(image: RgbaImage, small: RgbaImage): number {
  const scale = image.width / small.width;
  let sum = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const at = (y * image.width + x) * 4;
      const from = (Math.floor(y / scale) * small.width + Math.floor(x / scale)) * 4;
      for (let c = 0; c < 3; c++) sum += Math.abs(image.data[at + c]! - small.data[from + c]!);
    }
  }
  return sum / (image.width * image.height * 3);
}
