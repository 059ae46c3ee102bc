// @jsquash/webp's modules rewritten to run in the shared codec heap (npm run build:codec-wasm).
import decoder from './wasm/webp_dec.wasm';
import encoder from './wasm/webp_enc_simd.wasm';
import type { WebpModules } from '../codec/webp';

/** libwebp for workerd: modules compiled at bundle time (workerd refuses to compile bytes at run time). */
export const WEBP_MODULES: WebpModules = { decoder, encoder };
