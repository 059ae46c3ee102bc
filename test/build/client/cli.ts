import { bundleClient, CLIENT_OUT_DIR } from './bundle';

// `npm run build:client`; also run by `wrangler dev` (wrangler.toml [build]) before it serves.
const started = performance.now();
await bundleClient();
console.log(`[build:client] bundled into ${CLIENT_OUT_DIR} in ${Math.round(performance.now() - started)} ms`);
