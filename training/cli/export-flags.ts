import { UsageError } from '../config/command-line';
import { BENCHMARK_SETS } from '../eval/sets';

/**
 * The flags of the commands that export a run's checkpoint and score it (`npm run export`,
 * `npm run report:quantization`): the run (`--run`, required), the convs kept in float, and the
 * HR folders scored (the four benchmarks unless given). Spread into the command's parseCommandLine
 * options; {@link exportRunFlags} reads them back.
 */
export const EXPORT_RUN_OPTIONS = {
  run: { type: 'string' },
  'float-convs': { type: 'string', default: 'tail,skip' },
  eval: { type: 'string', multiple: true },
} as const;

/** What the {@link EXPORT_RUN_OPTIONS} flags of a parsed command line ask for; a UsageError without `--run`. */
export function exportRunFlags(values: { readonly run?: string; readonly 'float-convs': string; readonly eval?: readonly string[] }): {
  readonly run: string;
  readonly floatConvs: string[];
  readonly evalDirs: string[];
} {
  if (!values.run) throw new UsageError('--run is required');
  return { run: values.run, floatConvs: values['float-convs'].split(',').filter(Boolean), evalDirs: [...(values.eval ?? BENCHMARK_SETS)] };
}
