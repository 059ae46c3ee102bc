import type { MiddlewareHandler } from 'hono';
import type { ModelEntry } from '../core/manifest';
import type { ModelCatalog } from '../core/model-catalog';
import { ifNoneMatchMatches } from './conditional';
import { MODEL_MANIFEST_PATH, modelFilePath } from './routes';

/** Content-addressed URLs (see {@link modelFilePath}) never change content. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the catalog's models to clients that run them themselves (the browser client): the
 * manifest at {@link MODEL_MANIFEST_PATH} and each file at {@link modelFilePath}, from the same
 * bytes the Worker runs. Both are public and readable cross-origin, so pages elsewhere can use
 * them. Any other path goes to `next()`: the Worker claims the exact URLs of its current models only.
 *
 * @example
 * app.get('/_wdsr/models/*', modelFiles(models, MODEL_FILES));
 */
export function modelFiles(catalog: ModelCatalog, files: Readonly<Record<string, ArrayBuffer>>): MiddlewareHandler {
  const models: ModelEntry[] = catalog.scales.map((scale) => catalog.entry(scale)!);
  const manifest = JSON.stringify({ schemaVersion: 1, models });
  const byPath = new Map(models.filter((model) => files[model.file] !== undefined).map((model) => [modelFilePath(model), model]));
  return async function modelFiles(c, next) {
    const path = c.req.path;
    if (path === MODEL_MANIFEST_PATH) {
      // Revalidated on every use: it changes with each deployment and names the current files.
      return new Response(manifest, { headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache', 'Access-Control-Allow-Origin': '*' } });
    }
    const model = byPath.get(path);
    if (model === undefined) return next();
    const headers = { ETag: `"${model.sha256}"`, 'Cache-Control': IMMUTABLE, 'Access-Control-Allow-Origin': '*' };
    if (ifNoneMatchMatches(c.req.header('If-None-Match'), headers.ETag)) return new Response(null, { status: 304, headers });
    return new Response(files[model.file]!, { headers: { ...headers, 'Content-Type': 'application/octet-stream' } });
  };
}
