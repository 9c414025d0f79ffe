/**
 * `npm run demo [-- --shoppers N] [--delay-minutes M]`: the abandoned-cart story end to end
 * (see run.ts). Exit code 0 when the story held; 1 with the reason otherwise.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_TIMEOUT_MS, runDemo } from './run.ts';

const USAGE = 'usage: npm run demo -- [--shoppers N (1-200, default 12)] [--delay-minutes M (0-10, default 1)]';

function options() {
  const { values } = parseArgs({
    options: {
      shoppers: { type: 'string', default: '12' },
      'delay-minutes': { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const shoppers = Number(values.shoppers);
  const delayMinutes = Number(values['delay-minutes']);
  if (!Number.isInteger(shoppers) || shoppers < 1 || shoppers > 200) throw new Error(`--shoppers must be a whole number from 1 to 200, not ${values.shoppers}`);
  if (!Number.isInteger(delayMinutes) || delayMinutes < 0 || delayMinutes > 10)
    throw new Error(`--delay-minutes must be a whole number from 0 to 10, not ${values['delay-minutes']}`);
  return { shoppers, delayMinutes };
}

let parsed: ReturnType<typeof options>;
try {
  parsed = options();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
  process.exit(1);
}

// Ctrl-C stops the demo, which still stops everything it started and removes its data.
const interrupt = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupt.abort());
// The demo gives up by itself after its time limit; this catches a shutdown that hangs after that.
setTimeout(() => {
  process.stderr.write('\nThe demo failed: it did not stop within a minute of its time limit\n');
  process.exit(1);
}, DEFAULT_TIMEOUT_MS + 60_000).unref();

try {
  await runDemo({ ...parsed, signal: interrupt.signal });
  process.exit(0);
} catch (err) {
  process.stderr.write(`\nThe demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  if (process.env.CHASELINE_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
}
