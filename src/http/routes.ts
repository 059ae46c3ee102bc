import type { ModelEntry } from '../core/manifest';

/*
 * Paths the Worker answers itself instead of passing them to the origin, shared with the browser
 * client that calls them. They live under one reserved prefix so that they cannot shadow origin
 * paths people are likely to have.
 */

/** `POST` an image body here with `?upscale=N` (and `format`, `quality`): the upload endpoint. */
export const UPLOAD_PATH = '/_wdsr/upscale';

/** Prefix of the model files and their manifest, for clients that run the models themselves. */
export const MODELS_PATH = '/_wdsr/models';

/** The served models' manifest (`{ schemaVersion, models }`), as the Worker validated it. */
export const MODEL_MANIFEST_PATH = `${MODELS_PATH}/manifest.json`;

/**
 * Where a model file is served. The SHA-256 in the path makes the URL content-addressed, so the
 * file can be cached forever: a re-exported model gets a new URL.
 *
 * @example
 * modelFilePath(entry); // `/_wdsr/models/${entry.sha256}/${entry.file}`
 */
export function modelFilePath(model: Pick<ModelEntry, 'sha256' | 'file'>): string {
  return `${MODELS_PATH}/${model.sha256}/${model.file}`;
}
