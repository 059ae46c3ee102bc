// @jsquash/avif's modules rewritten to run in the shared codec heap (npm run build:codec-wasm).
import decoder from './wasm/avif_dec.wasm';
import encoder from './wasm/avif_enc.wasm';
import type { AvifModules } from '../codec/avif';

/** libavif for workerd: modules compiled at bundle time (workerd refuses to compile bytes at run time). */
export const AVIF_MODULES: AvifModules = { decoder, encoder };
