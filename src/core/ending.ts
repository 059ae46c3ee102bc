/**
 * `items`, with `cleanup` run exactly once when the iteration ends, however it ends: exhausted,
 * failed, or abandoned (`return()`/`throw()`), even before its first item was asked for, which a
 * plain `try`/`finally` generator never notices (its body has not started, so its `finally` never
 * runs). Requests hold resources past their first await (a model lease, tens of MiB of source
 * pixels) that must go when the response does, also when a 304 or a client's disconnect abandons
 * the body unread.
 *
 * @example
 * const body = onceEnded(encode(image), () => lease.end());
 * await body.return(undefined); // lease.end() has run
 */
export function onceEnded<T>(items: AsyncIterable<T>, cleanup: () => void): AsyncGenerator<T, void, undefined> {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    cleanup();
  };
  const generator = (async function* () {
    try {
      yield* items;
    } finally {
      end();
    }
  })();
  const methods = generator as unknown as Record<'return' | 'throw', (value: unknown) => Promise<IteratorResult<T, void>>>;
  for (const method of ['return', 'throw'] as const) {
    const original = methods[method].bind(generator);
    methods[method] = async (value: unknown) => {
      try {
        return await original(value);
      } finally {
        end();
      }
    };
  }
  return generator;
}
