import type { WranglerDev } from '../../training/reports/workerd/wrangler-dev';

/**
 * One reading of the Worker isolate's memory, bytes: V8's own accounting through the inspector
 * (`Runtime.getHeapUsage`), plus the WebAssembly memories, which V8 leaves out of it.
 */
export interface HeapReading {
  /** The JavaScript heap V8 has reserved (`totalSize`): live objects, garbage not yet collected, and free space. */
  readonly jsHeap: number;
  /**
   * ArrayBuffer backing stores (`backingStorageSize`): typed arrays and image buffers. No
   * WebAssembly memory: measured, the reading stayed at 2.2 MiB beside a live 16 MiB libwebp heap
   * and at 10.7 MiB beside a 52.4 MiB one (onnxruntime's, shared, is left out likewise).
   */
  readonly buffers: number;
  /**
   * The Worker's WebAssembly memories not yet collected, by runtime (`/_bench/memory`, which
   * counts dropped codec heaps until V8 collects them): onnxruntime, libwebp, libavif.
   */
  readonly wasm: Readonly<Record<string, number>>;
}

/** The largest reading of a stretch of work, by `jsHeap + buffers`, and how many readings it was taken from. */
export interface HeapPeak extends HeapReading {
  readonly readings: number;
  /** The first reading, before the work began: what the isolate carried into it (live data and uncollected garbage). */
  readonly before: HeapReading;
}

/** Bytes of every WebAssembly memory in a reading. */
export const wasmTotal = (reading: HeapReading): number => Object.values(reading.wasm).reduce((sum, bytes) => sum + bytes, 0);

/** The isolate's memory in a reading: JS heap, buffers and WebAssembly memories. */
export const heapTotal = (reading: HeapReading): number => reading.jsHeap + reading.buffers + wasmTotal(reading);

/** Reads the Worker isolate's memory while work runs. */
export interface IsolateHeapWatch {
  /**
   * Runs `work` while reading the isolate's memory back to back (one request in flight), and returns
   * its result with the largest reading, the one before `work` included.
   */
  during<T>(work: () => Promise<T>): Promise<{ readonly result: T; readonly peak: HeapPeak }>;
  /** A full collection (through a heap snapshot): the garbage of earlier work stops counting. */
  collectGarbage(): Promise<void>;
  close(): void;
}

interface InspectorReply {
  readonly id?: number;
  readonly result?: { readonly totalSize?: number; readonly backingStorageSize?: number };
  readonly error?: { readonly message: string };
}

/** The bench Worker's WebAssembly memories by runtime, bytes (`GET /_bench/memory`). */
export async function wasmMemories(server: WranglerDev): Promise<Record<string, number>> {
  return (await (await fetch(`${server.url}/_bench/memory`)).json()) as Record<string, number>;
}

/**
 * Connects to the V8 inspector of the isolate `wrangler dev` runs (through wrangler's inspector
 * proxy, which only accepts a localhost Origin), and reads the Worker's WebAssembly memories beside
 * each of its readings. Needs a global WebSocket (Node 22, or Node 20 with
 * `--experimental-websocket`, as `npm run bench` runs).
 *
 * What it can and cannot see: the isolate answers only between tasks, so a reading
 * waits for the synchronous step in progress (a decode, a tile, an encode) to finish. What such a
 * step allocates and keeps, or leaves as garbage not yet collected (a codec's WebAssembly memory
 * after the call), is still there to read; what V8 collects within the step is not. So the peak is
 * a lower bound of the isolate's true peak, and usually close to it: WebAssembly memories, the bulk,
 * never shrink while referenced and are only reclaimed by a collection.
 *
 * @example
 * const watch = await watchIsolateHeap(server);
 * const { peak } = await watch.during(() => request(server, '/big.png?upscale=2'));
 */
export async function watchIsolateHeap(server: WranglerDev): Promise<IsolateHeapWatch> {
  const targets = (await (await fetch(`http://127.0.0.1:${server.inspectorPort}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (url === undefined) throw new Error(`wrangler's inspector on port ${server.inspectorPort} lists no Worker`);
  // Node's WebSocket (undici) takes request headers in its second argument; the DOM type does not say so.
  const socket = new WebSocket(url, { headers: { Origin: 'http://localhost' } } as unknown as string[]);
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error(`cannot open the inspector at ${url}`));
  });
  let nextId = 0;
  const pending = new Map<number, (reply: InspectorReply) => void>();
  // wrangler's inspector proxy turns workerd's network capture on again whenever it reconnects to
  // a reloaded Worker, and it costs seconds per large subrequest (training/reports/workerd/network-capture.ts):
  // turned off again for every new execution context.
  socket.onmessage = (event) => {
    const reply = JSON.parse(String(event.data)) as InspectorReply & { readonly method?: string };
    if (reply.id !== undefined) pending.get(reply.id)?.(reply);
    else if (reply.method === 'Runtime.executionContextCreated') socket.send(JSON.stringify({ id: ++nextId, method: 'Network.disable' }));
  };
  const call = (method: string, params: object = {}): Promise<InspectorReply> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => reject(new Error(`${method}: no answer within 120 s`)), 120_000);
      pending.set(id, (reply) => {
        clearTimeout(timer);
        pending.delete(id);
        if (reply.error) reject(new Error(`${method} failed: ${reply.error.message}`));
        else resolve(reply);
      });
      socket.send(JSON.stringify({ id, method, params }));
    });
  const read = async (): Promise<HeapReading> => {
    const [reply, wasm] = await Promise.all([call('Runtime.getHeapUsage'), wasmMemories(server)]);
    const { totalSize, backingStorageSize } = reply.result ?? {};
    if (totalSize === undefined || backingStorageSize === undefined) throw new Error(`Runtime.getHeapUsage answered ${JSON.stringify(reply)}`);
    return { jsHeap: totalSize, buffers: backingStorageSize, wasm };
  };
  await call('Network.disable');
  return {
    async collectGarbage() {
      // workerd's inspector never answered HeapProfiler.collectGarbage here (120 s without a
      // reply); a heap snapshot starts with a full collection and does answer.
      await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    },
    async during(work) {
      const before = await read();
      let peak = before;
      let readings = 1;
      let done = false;
      let failure: unknown;
      // Reads until the work is over, then once more: the step that ended it may have left garbage to see.
      const reading = (async () => {
        for (let last = false; !last; ) {
          last = done;
          const next = await read();
          readings++;
          if (heapTotal(next) > heapTotal(peak)) peak = next;
        }
      })().catch((error: unknown) => (failure = error));
      let result: Awaited<ReturnType<typeof work>>;
      try {
        result = await work();
      } finally {
        done = true;
      }
      await reading;
      if (failure !== undefined) throw failure;
      return { result, peak: { ...peak, readings, before } };
    },
    close: () => socket.close(),
  };
}
