/**
 * A Node module-resolution hook, scoped to `@tensorflow/tfjs-core/dist/**`.
 *
 * Why: tfjs-core registers no gradients from its Node entry point; they live only in its
 * ESM build (`dist/register_all_gradients.js`), whose relative imports omit the `.js`
 * extension (`import ... from './gradients'`). Bundlers and vitest accept that; Node's
 * ESM loader (and tsx, which prefers the `dist/gradients/` directory over
 * `dist/gradients.js`) do not. Adding the extension for that one package's own relative
 * imports is the smallest fix that leaves every other resolution untouched.
 */
export async function resolve(specifier, context, nextResolve) {
  const fromTfjsCore = context.parentURL?.includes('/@tensorflow/tfjs-core/dist/') ?? false;
  if (fromTfjsCore && specifier.startsWith('.') && !specifier.endsWith('.js')) {
    return nextResolve(`${specifier}.js`, context);
  }
  return nextResolve(specifier, context);
}
