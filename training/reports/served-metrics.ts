import { MODEL_MANIFEST_PATH } from '../../src/http/routes';
import { manifestSetMetrics } from '../eval/report';
import { serviceUpscaler } from '../eval/service-upscaler';
import { BENCHMARK_SETS, evaluateSets, type EvalProgress } from '../eval/sets';
import { writeManifestEntry, type ManifestModel } from '../onnx/manifest';

/** The running service serves another model than the manifest names (a stale `npm start`). */
export class ServedModelMismatchError extends Error {
  override readonly name = 'ServedModelMismatchError';
}

/**
 * Scores a served model through the running service (`npm start`) on the four benchmarks (or `dirs`) and
 * records the result as the manifest entry's `metrics.served`: issue #5's targets are judged on
 * what users get over HTTP (tiling, the int8 model, codecs), not on the evaluator alone. The
 * service must be serving this very file: its model manifest is checked by SHA-256 first.
 *
 * @example
 * await recordServedMetrics('model', manifest.models[0], 'http://127.0.0.1:8787');
 */
export async function recordServedMetrics(
  modelDir: string,
  model: ManifestModel,
  serviceUrl: string,
  options: { readonly dirs?: readonly string[]; readonly onProgress?: EvalProgress } = {},
): Promise<ManifestModel> {
  const dirs = options.dirs ?? BENCHMARK_SETS;
  const response = await fetch(new URL(MODEL_MANIFEST_PATH, serviceUrl));
  if (!response.ok) throw new ServedModelMismatchError(`${serviceUrl} answered ${response.status} for its model manifest; is it the wdsr-edge service?`);
  const served = ((await response.json()) as { models: { scale: number; sha256: string }[] }).models.find((m) => m.scale === model.scale);
  if (served?.sha256 !== model.sha256) {
    throw new ServedModelMismatchError(
      `${serviceUrl} serves ${served ? `sha256 ${served.sha256}` : 'no model'} at x${model.scale}, not ${model.file} (${model.sha256}): restart it on this checkout`,
    );
  }
  const report = await evaluateSets(dirs, model.scale, serviceUrl, serviceUpscaler(serviceUrl, model.scale), options.onProgress);
  const command = `npm run eval -- --scale ${model.scale} ${dirs.map((d) => `--data ${d}`).join(' ')} --model ${serviceUrl}`;
  const metrics = { ...(model.metrics ?? {}), served: { command, service: 'npm start (wrangler dev, workerd)', sets: manifestSetMetrics(report) } };
  const entry = { ...model, metrics };
  await writeManifestEntry(modelDir, entry, 'models');
  return entry;
}
