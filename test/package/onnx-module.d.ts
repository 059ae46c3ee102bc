/**
 * For tsconfig.build.json only: model/files.ts imports the `.onnx` model files as `Data` modules
 * (ArrayBuffers). The other projects get this declaration from worker-configuration.d.ts
 * (`wrangler types`), which the package build leaves out because it also pulls in src/index.ts.
 */
declare module '*.onnx' {
  const value: ArrayBuffer;
  export default value;
}
