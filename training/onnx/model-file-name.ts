import type { ArchConfig } from '../archs/config';
import type { DataConfig } from '../config/experiment';
import { setName } from '../metrics/evaluate';
import type { ModelPrecision } from './manifest';

/**
 * The stem of an exported model's file name, and its manifest id: one scheme for every file in
 * model/, `<arch>-x<scale>-f<nFeats>b<nBlocks>[-<tags>]-<precision>`. The tags are what the run
 * name (`WDSR-B_x2_f16b8_T91+BSD200_decay20k`) says beyond the architecture, scale, size and
 * training sets: its `_`-separated tokens without the arch token (`WDSR-B`), `x<scale>`,
 * `f<nFeats>b<nBlocks>` and the train sets' names joined by `+`, lower-cased and joined by `-`.
 * A token that only starts with the size (`f64b1e6r0.8`) keeps the rest; a token the config does
 * not bear out (another scale, other sets) stays as a tag. Characters a file name or URL path
 * should not carry become `-`, so the name always passes the Worker's manifest check.
 *
 * @example
 * modelFileStem(decay20kConfig, 'int8-weights'); // 'wdsr-b-x2-f16b8-decay20k-int8-weights'
 * modelFileStem(distillConfig, 'fp32'); // 'wdsr-b-x2-f16b8-distill-f24b8-fp32'
 */
export function modelFileStem(
  run: { readonly name: string; readonly arch: Pick<ArchConfig, 'arch' | 'scale' | 'nFeats' | 'nBlocks'>; readonly data: Pick<DataConfig, 'train'> },
  precision: ModelPrecision,
): string {
  const { arch } = run;
  const archName = slug(arch.arch);
  const scale = `x${arch.scale}`;
  const size = `f${arch.nFeats}b${arch.nBlocks}`;
  const sets = run.data.train.map(setName).join('+').toLowerCase();
  const tags = run.name
    .split('_')
    .map((token) => token.toLowerCase())
    .filter((token) => slug(token) !== archName && token !== scale && token !== size && token !== sets)
    .map((token) => (token.startsWith(size) && !/^\d/.test(token.slice(size.length)) ? token.slice(size.length) : token))
    .map(slug)
    .filter((tag) => tag !== '');
  return [archName, scale, size, ...tags, precision].join('-');
}

/** Lower case, anything but letters, digits and `.` as `-`, no doubled `-` and nothing but a letter or digit at either end. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
}
