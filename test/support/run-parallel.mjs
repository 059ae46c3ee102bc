// `node test/support/run-parallel.mjs <npm script>...`: runs the named npm scripts at the same time
// (npm test runs its two longest suites this way: each waits on workerd, the disk and its own
// start-up for long stretches, so together they take less than one after the other), prefixes
// every output line with the script's name, and fails when any of them fails.
import { spawn } from 'node:child_process';

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  process.stderr.write('usage: node test/support/run-parallel.mjs <npm script>...\n');
  process.exit(2);
}

/** Runs `npm run <script>`, its lines prefixed; resolves with its exit code and duration. */
function run(script) {
  const started = Date.now();
  const child = spawn('npm', ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  for (const [stream, target] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (text) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) target.write(`[${script}] ${line}\n`);
    });
    stream.on('end', () => {
      if (pending !== '') target.write(`[${script}] ${pending}\n`);
    });
  }
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ script, code: code ?? (signal === null ? 1 : 128), seconds: (Date.now() - started) / 1000 }));
  });
}

const results = await Promise.all(scripts.map(run));
for (const { script, code, seconds } of results) {
  process.stdout.write(`${code === 0 ? 'passed' : `FAILED (exit ${code})`}: npm run ${script} in ${seconds.toFixed(0)} s\n`);
}
process.exitCode = results.some(({ code }) => code !== 0) ? 1 : 0;
