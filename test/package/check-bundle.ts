import { dryRunBundle, judgeBundle, ROOT } from './bundle-size';

/*
 * `npm run check:bundle`: bundles the Worker `npm run deploy` ships (wrangler.toml, with its
 * `[build]` step) without deploying it, and fails when it outgrows its budgets: the platform's
 * size limit less a margin, uncompressed and gzipped (see bundle-size.ts). Needs no Cloudflare
 * account, so CI can run it.
 */
const bundle = await dryRunBundle(ROOT);
const { ok, summary } = judgeBundle(bundle);
console.log(`[check:bundle] the Worker \`npm run deploy\` uploads: ${summary}`);
if (bundle.wranglerSummary !== undefined) console.log(`[check:bundle] wrangler: ${bundle.wranglerSummary}`);
if (!ok) {
  console.error('[check:bundle] over budget: the Worker would soon stop fitting the platform limit');
  process.exitCode = 1;
}
