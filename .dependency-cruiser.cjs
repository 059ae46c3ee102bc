/**
 * Import rules, checked by `npm run check:deps` (dependency-cruiser).
 *
 * training/ is a stack (training/README.md): each line of TRAINING_STACK, bottom first, may
 * import the lines below it; within a line, a folder may import the folders to its left.
 * src/ is layered as README.md's "How it is built" describes: core under codec and inference,
 * http over them, platform (the workerd glue) over http, the entry points on top.
 */

const TRAINING_STACK = [
  ['archs', 'backend', 'model'], // the network
  ['config', 'data', 'losses', 'metrics', 'checkpoint'], // what a run reads and writes
  ['onnx'], // exported models: writer, reader, folds, manifest, starting points
  ['distill', 'quant'], // what runs exported models: the teacher, calibration, the int8 export
  ['loop'], // training
  ['eval'], // scoring models
  ['export', 'reports'], // npm run export; reports, plots, timing, benchmarks
  ['repro'], // the paper reproduction
  ['cli'], // entry points
];

/** For each training folder, the folders above it: a line higher up, or to its right on its own line. */
const trainingLayerRules = TRAINING_STACK.flatMap((line, level) =>
  line.flatMap((folder, position) => {
    const above = [...line.slice(position + 1), ...TRAINING_STACK.slice(level + 1).flat()];
    if (above.length === 0) return [];
    return [
      {
        name: `training-${folder}-imports-up`,
        comment: `training/${folder}/ may import only what lies below it in the stack (training/README.md).`,
        severity: 'error',
        from: { path: `^training/${folder}/` },
        to: { path: `^training/(${above.join('|')})/` },
      },
    ];
  }),
);

/** A src folder that may import only the src folders it names (and itself). */
const srcImportsOnly = (folder, allowed, comment) => ({
  name: `src-${folder}-layer`,
  comment,
  severity: 'error',
  from: { path: `^src/${folder}/` },
  to: { path: '^src/', pathNot: `^src/(${[folder, ...allowed].join('|')})/` },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules that import each other, directly or not, cannot be understood, tested or moved alone.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-imports-no-training-or-test',
      comment: 'The published package and the Worker bundle only src/ (and model/).',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(training|test)/' },
    },
    {
      name: 'training-imports-no-test',
      comment: 'The training pipeline runs without the test tree.',
      severity: 'error',
      from: { path: '^training/' },
      to: { path: '^test/' },
    },
    ...trainingLayerRules,
    {
      name: 'training-loop-through-hooks',
      comment:
        'The loop reaches exported models (warm starts, calibration, teachers) only through its TrainingHooks (training/loop/hooks.ts), which the commands pass in: its gradient worker threads never load onnxruntime.',
      severity: 'error',
      from: { path: '^training/loop/' },
      to: { path: '^training/(onnx|distill|quant)/' },
    },
    srcImportsOnly('core', [], 'src/core is runtime-free: it imports nothing else from src/.'),
    srcImportsOnly('codec', ['core'], 'Codecs build on core alone.'),
    srcImportsOnly('inference', ['core'], 'The onnxruntime-web bridge builds on core alone.'),
    srcImportsOnly('http', ['core', 'codec', 'inference'], 'HTTP handling builds on core, codec and inference; platform glue plugs into it from above.'),
    {
      name: 'src-platform-under-entry-points',
      comment:
        'src/platform binds workerd to the layers below it; only the entry points (index.ts, package-entry.ts) build on it, and the browser apps never do.',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/((client|samples|assets)/|index\\.ts$|middleware\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Generated bundles and run outputs are no source.
    exclude: { path: '^(src/assets/|dist/|training/runs/)' },
    // Type-only imports count: a layer that names a type from above depends on it as much.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.json', '.d.ts'] },
  },
};
