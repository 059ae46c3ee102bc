import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web/wasm';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../../training/onnx/manifest';
import { modelFileStem } from '../../training/onnx/model-file-name';

// The contract between training and serving: every file model/manifest.json lists is the
// file it describes, and both runtimes load it with the declared interface.
const manifest = await readManifest('model');
const entries = [...manifest.models.map((m) => ['served', m] as const), ...manifest.references.map((m) => ['reference', m] as const)];
ortWeb.env.wasm.numThreads = 1;

describe('model/manifest.json', () => {
  it('serves at least the x2 model, one model per scale', () => {
    const scales = manifest.models.map((m) => m.scale);
    expect(scales).toContain(2);
    expect(new Set(scales).size).toBe(scales.length);
  });

  it('binds exactly the served files in model/files.ts', async () => {
    const source = await readFile('model/files.ts', 'utf8');
    const imported = [...source.matchAll(/from '\.\/([^']+)'/g)].map((m) => m[1]).sort();
    expect(imported).toEqual(manifest.models.map((m) => m.file).sort());
  });

  it('names each file by its run and precision, and each entry by its file (issue #21)', () => {
    const ids = entries.map(([, m]) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [, m] of entries) {
      expect(m.file).toBe(`${m.id}.onnx`);
      const training = m.training as { run: string; data: string[] };
      expect(m.id).toBe(modelFileStem({ name: training.run, arch: m.arch, data: { train: training.data } }, m.precision));
    }
  });

  it('keeps no model file that nothing uses: each is listed here or pinned by a config as a starting point or teacher', async () => {
    const tracked = (dir: string): string[] => execFileSync('git', ['ls-files', '-z', dir], { encoding: 'utf8' }).split('\0').filter(Boolean);
    const used = new Set(entries.map(([, m]) => `model/${m.file}`));
    const configs = tracked('training/configs').filter((file) => file.endsWith('.json'));
    for (const file of [...configs, ...tracked('model/runs').filter((file) => file.endsWith('/config.json'))]) {
      for (const path of JSON.stringify(JSON.parse(await readFile(file, 'utf8'))).match(/model\/[\w.-]+\.onnx/g) ?? []) used.add(path);
    }
    expect(configs.length).toBeGreaterThan(0);
    expect(tracked('model').filter((file) => file.endsWith('.onnx') && !used.has(file))).toEqual([]);
  });

  it.each(entries.map(([kind, m]) => [`${kind} ${m.id}`, m] as const))('%s: file, sha256, IO names and scale match', async (_, model) => {
    const bytes = new Uint8Array(await readFile(`model/${model.file}`));
    expect(bytes.length).toBe(model.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(model.sha256);

    const input = Float32Array.from({ length: 3 * 6 * 7 }, (_, i) => (i % 17) / 16);
    for (const ort of [ortNode, ortWeb] as const) {
      const session = await (ort as typeof ortNode).InferenceSession.create(bytes);
      expect(session.inputNames).toEqual([model.input.name]);
      expect(session.outputNames).toEqual([model.output.name]);
      const outputs = await session.run({ [model.input.name]: new (ort as typeof ortNode).Tensor('float32', input, [1, 3, 6, 7]) });
      expect(outputs[model.output.name]!.dims).toEqual([1, 3, 6 * model.scale, 7 * model.scale]);
      await session.release();
    }
  });
});
