import { Hono } from 'hono';
import { MODEL_FILES } from '../model/files';
import manifestJson from '../model/manifest.json';
import { createImageCodecs } from './codec/codecs';
import { createWebpCodec } from './codec/webp';
import { readConfig } from './config';
import { parseManifest } from './core/manifest';
import { createModelCatalog } from './core/model-catalog';
import { handleError } from './http/handle-error';
import { modelFiles } from './http/model-files';
import { bindingOrigin, urlPrefixOrigin, type Origin } from './http/origin';
import { passthrough } from './http/passthrough';
import { MODELS_PATH, UPLOAD_PATH } from './http/routes';
import { upload } from './http/upload';
import { upscale } from './http/upscale';
import { createOrtRunner } from './inference/ort-runner';
import { defaultCache } from './platform/default-cache';
import { perEnv } from './platform/per-env';
import { WEBP_WASM_SOURCES } from './platform/webp-wasm';

// Per isolate: one model catalog (one memoised ORT session per model) and one set of codecs.
const models = createModelCatalog(parseManifest(manifestJson), (model) => createOrtRunner(model, MODEL_FILES[model.file]));
const codecs = createImageCodecs(createWebpCodec(WEBP_WASM_SOURCES));

// Per environment: the configuration-dependent handlers, built once.
const service = perEnv((env: Env) => {
  const settings = readConfig(env);
  const origin = (): Origin => (settings.origin === undefined ? bindingOrigin(env.ASSETS) : urlPrefixOrigin(settings.origin));
  return {
    upscale: upscale({ ...settings, origin, models, codecs, cache: settings.cacheEnabled ? defaultCache() : undefined }),
    passthrough: passthrough({ origin, timeoutMs: settings.originTimeoutMs }),
    upload: upload({ ...settings, models, codecs }),
  };
});

const app = new Hono<{ Bindings: Env }>();
// The Worker's own endpoints (browser client, demo uploads) first: they never reach the origin.
app.get(`${MODELS_PATH}/*`, modelFiles(models, MODEL_FILES));
app.post(UPLOAD_PATH, (c, next) => service(c.env).upload(c, next));
app.use('*', (c, next) => service(c.env).upscale(c, next));
app.all('*', (c, next) => service(c.env).passthrough(c, next));
app.onError(handleError);

export default app;
