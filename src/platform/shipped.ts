import { MODEL_FILES } from '../../model/files';
import manifestJson from '../../model/manifest.json';
import { createAvifCodec } from '../codec/avif';
import { createImageCodecs } from '../codec/codecs';
import { createCodecHeap } from '../codec/emscripten';
import { createWebpCodec } from '../codec/webp';
import { parseManifest } from '../core/manifest';
import { createModelCatalog } from '../core/model-catalog';
import { createOrtRunner } from '../inference/ort-runner';
import { trackWasmMemory } from '../inference/wasm-memory';
import { AVIF_MODULES } from './avif-wasm';
import { WEBP_MODULES } from './webp-wasm';

/**
 * The models in `model/manifest.json`, bundled, each run in an onnxruntime-web session that is
 * shared while leased and closed when another scale needs the room. One catalog per isolate: every
 * user of the shipped models (the Worker's routes, the middleware's defaults) shares it, so no model
 * is ever open twice in the isolate's 128 MB.
 */
export const shippedModels = createModelCatalog(parseManifest(manifestJson), (model) => createOrtRunner(model, MODEL_FILES[model.file]));

/**
 * PNG, JPEG, WebP and AVIF codecs, libwebp and libavif from the bundled WebAssembly modules, all
 * four in one codec heap per isolate.
 */
const codecHeap = createCodecHeap((memory) => trackWasmMemory('codecs', memory));
export const shippedCodecs = createImageCodecs(createWebpCodec(codecHeap, WEBP_MODULES), createAvifCodec(codecHeap, AVIF_MODULES));
