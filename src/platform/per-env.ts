/**
 * Memoises `build` per Workers `env` object: configuration is read and validated once per
 * isolate, not on every request, while still coming from the bindings the request arrived with.
 *
 * @example
 * const service = perEnv((env: Env) => readConfig(env));
 * service(c.env).tileSize;
 */
export function perEnv<E extends object, T>(build: (env: E) => T): (env: E) => T {
  const built = new WeakMap<E, T>();
  return (env) => {
    if (!built.has(env)) built.set(env, build(env));
    return built.get(env)!;
  };
}
