import { Hono } from 'hono';
import { MODEL_FILES } from '../model/files';
import { readConfig } from './config';
import { cdnCgiImage } from './http/cdn-cgi';
import { handleError } from './http/handle-error';
import { modelFiles } from './http/model-files';
import { passthrough } from './http/passthrough';
import { MODELS_PATH, UPLOAD_PATH } from './http/routes';
import { upload } from './http/upload';
import { upscale } from './package-entry';
import { defaultCache } from './platform/default-cache';
import { perEnv } from './platform/per-env';
import { shippedCodecs as codecs, shippedModels as models } from './platform/shipped';
import { workerOrigin, type OptionalBindings } from './platform/worker-origin';

// Per environment: the configuration-dependent handlers, built once (configuration errors fail
// every request, logged, instead of running with a guess).
const service = perEnv((env: Env & OptionalBindings) => {
  const settings = readConfig(env);
  const origin = workerOrigin(settings.origin, env);
  return {
    upscale: upscale({
      ...settings,
      origin,
      cache: settings.cacheEnabled ? defaultCache() : false,
      signing: settings.signingKeys.length > 0 ? { keys: settings.signingKeys } : undefined,
    }),
    passthrough: passthrough({ origin: () => origin, timeoutMs: settings.originTimeoutMs }),
    upload: upload({ ...settings, models, codecs }),
  };
});

const app = new Hono<{ Bindings: Env & OptionalBindings }>();
// The Worker's own endpoints (browser client, demo uploads) first: they never reach the origin.
app.get(`${MODELS_PATH}/*`, modelFiles(models, MODEL_FILES));
app.post(UPLOAD_PATH, (c, next) => service(c.env).upload(c, next));
// Cloudflare Images-style URLs (/cdn-cgi/image/<options>/<path>) become the query form first.
app.use('*', cdnCgiImage());
app.use('*', (c, next) => service(c.env).upscale(c, next));
app.all('*', (c, next) => service(c.env).passthrough(c, next));
app.onError(handleError);

export default app;
