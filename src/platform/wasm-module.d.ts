/**
 * wrangler (and the Workers vitest pool) bundle a `.wasm` import as a compiled `WebAssembly.Module`
 * (module rule `CompiledWasm`): the only form workerd will instantiate.
 */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
