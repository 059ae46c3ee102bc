/**
 * The packages that provide TensorFlow's native 'tensorflow' backend, in order of
 * preference. They are deliberately not dependencies of this project (hundreds of MB,
 * CUDA-specific): a user with a GPU box installs one next to the checkout.
 */
export const NATIVE_BACKEND_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/**
 * Loads whichever native TensorFlow binding is installed; importing it registers the
 * 'tensorflow' backend. The import is dynamic and its specifier a variable so that nothing
 * is loaded, nor required at type-check time, unless this backend is asked for.
 */
export async function loadNativeTensorflowBackend(): Promise<string> {
  for (const packageName of NATIVE_BACKEND_PACKAGES) {
    try {
      await import(/* @vite-ignore */ packageName);
      return packageName;
    } catch (error) {
      if (!isModuleNotFound(error, packageName)) throw error;
    }
  }
  throw new Error(
    "backend 'tensorflow' needs @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node, and neither is installed. " +
      'Install one matching tfjs-core 4.22.0 without saving it, e.g. `npm install --no-save @tensorflow/tfjs-node-gpu@4.22.0`, ' +
      'or use --backend wasm.',
  );
}

function isModuleNotFound(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : '';
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(packageName);
}
