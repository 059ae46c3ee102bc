// Types of the `cloudflare:test` module (SELF, env, execution contexts). tsconfig.json's
// `types` entry "@cloudflare/vitest-pool-workers" resolves to the pool's Node API since 0.15;
// the test module's declarations live under its `/types` subpath.
/// <reference types="@cloudflare/vitest-pool-workers/types" />
