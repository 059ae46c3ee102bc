// `npm run build` (and `prepack`): compiles the package into dist/ with tsconfig.build.json, then
// makes the output loadable without any configuration in the consumer's bundler:
//  - the codec modules of src/platform/wasm are copied alongside;
//  - the shipped models (the `.onnx` files model/files.ts imports) are copied next to the compiled
//    model/files.js as `<name>.onnx.bin`, and imported under that name: `.bin` is a `Data`
//    (ArrayBuffer) module by default in wrangler and in the Cloudflare Vite plugin, so consumers
//    need no `[[rules]]` entry for `.onnx`;
//  - relative imports get explicit file names (`./http/origin` -> `./http/origin.js`), as Node's
//    ESM resolution, and TypeScript's `node16`/`nodenext` resolution of the declarations, require.
// Plain JavaScript so that it runs before anything is compiled.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist');
const MODEL_OUT = join(DIST, 'model');

rmSync(DIST, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });

// Models: exactly the files model/files.ts imports (`npm run export` generates it from the manifest).
const filesJs = join(MODEL_OUT, 'files.js');
const models = [];
const rewrittenFiles = readFileSync(filesJs, 'utf8').replace(/(from\s+)(['"])\.\/([^'"/]+\.onnx)\2/g, (_, from, quote, file) => {
  models.push(file);
  copyFileSync(join(ROOT, 'model', file), join(MODEL_OUT, `${file}.bin`));
  return `${from}${quote}./${file}.bin${quote}`;
});
const imported = [...readFileSync(join(ROOT, 'model/files.ts'), 'utf8').matchAll(/from\s+['"]\.\/([^'"/]+\.onnx)['"]/g)].map((match) => match[1]);
if (models.length === 0 || models.join() !== imported.join())
  throw new Error(`dist/model/files.js imports ${models.join(', ') || 'no models'}; model/files.ts imports ${imported.join(', ')}`);
writeFileSync(filesJs, rewrittenFiles);
// tsc re-indents the JSON it emits; ship the manifest byte for byte.
copyFileSync(join(ROOT, 'model/manifest.json'), join(MODEL_OUT, 'manifest.json'));

// The codec modules the Worker bundles from src/platform/wasm (npm run build:codec-wasm), next to the
// compiled module that imports them: `.wasm` is a compiled module by default in wrangler and Vite's plugin.
const CODEC_WASM = join(ROOT, 'src/platform/wasm');
const codecWasm = readdirSync(CODEC_WASM).filter((name) => name.endsWith('.wasm'));
mkdirSync(join(DIST, 'src/platform/wasm'), { recursive: true });
for (const name of codecWasm) copyFileSync(join(CODEC_WASM, name), join(DIST, 'src/platform/wasm', name));

// Explicit relative specifiers in every compiled module and declaration.
const SPECIFIER = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?\/[^'"]*)\2/g;
const KEPT = /\.(js|json|bin|wasm)$/;
for (const file of walk(DIST)) {
  const declaration = file.endsWith('.d.ts');
  if (!declaration && !file.endsWith('.js')) continue;
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(SPECIFIER, (whole, keyword, quote, specifier) => {
    if (specifier.endsWith('.onnx')) throw new Error(`${relative(ROOT, file)} still imports ${specifier}`);
    if (KEPT.test(specifier)) return whole;
    const target = resolve(dirname(file), specifier);
    const ext = declaration ? '.d.ts' : '.js';
    if (existsSync(target + ext)) return `${keyword}${quote}${specifier}.js${quote}`;
    if (existsSync(join(target, `index${ext}`))) return `${keyword}${quote}${specifier}/index.js${quote}`;
    throw new Error(`${relative(ROOT, file)}: cannot resolve ${specifier} in dist/`);
  });
  if (rewritten !== text) writeFileSync(file, rewritten);
}
console.log(`dist/: ${models.length} models (${models.join(', ')}) as .onnx.bin, ${codecWasm.length} codec modules, relative imports made explicit`);

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
