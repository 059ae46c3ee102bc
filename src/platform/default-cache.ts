/**
 * workerd's zone cache, `caches.default`. The project's Workers tsconfig also loads the standard
 * WebWorker lib, whose `CacheStorage` has no `default`, so the property is typed here once.
 */
export function defaultCache(): Cache {
  return (caches as unknown as { readonly default: Cache }).default;
}
