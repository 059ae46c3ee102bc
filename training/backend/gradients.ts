import { register } from 'node:module';

let registered: Promise<void> | undefined;

/**
 * Registers tfjs-core's gradient functions (once per process). `@tensorflow/tfjs-core`
 * alone registers none, so without this every `tf.grads` call fails with
 * "gradient function not found". See `esm-extension-resolver.mjs` for why a resolve
 * hook is needed to load them under plain Node/tsx.
 *
 * @example
 * await registerTfjsGradients();
 * const { grads } = tf.variableGrads(() => loss(), variables);
 */
export function registerTfjsGradients(): Promise<void> {
  registered ??= (async () => {
    register(new URL('./esm-extension-resolver.mjs', import.meta.url));
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  })();
  return registered;
}
