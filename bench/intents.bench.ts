/**
 * Intent classifier benchmark: trains the offline classifier on the shipped data (timed),
 * then classifies every shipped utterance (English, Mandarin, Cantonese) for several rounds
 * on one core. Reports classifications per second, p50/p99 per call, and the scores on the
 * held-out split (core/intents/data/heldout/: utterances written apart from the training
 * data and never trained on; the same figures core/intents/heldout.test.ts asserts).
 *
 *   npm run bench:intents
 *   npm run bench:intents -- --rounds 20
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { builtInExamples, createOfflineClassifier } from '../core/intents/classifier.ts';
import { evaluate } from '../core/intents/evaluate.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '10' } } });
const ROUNDS = Number(values.rounds);

/** This process's CPU time in ms: on a busy machine it says what the work costs, wall time does not. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const examples = builtInExamples();
let started = performance.now();
let cpuStarted = cpuMs();
const classifier = createOfflineClassifier(examples);
const trainMs = performance.now() - started;
const trainCpuMs = cpuMs() - cpuStarted;

// Warm-up round, so the JIT has compiled the hot paths before we measure.
for (const e of examples) classifier.classify(e.text);

const perCall = new Float64Array(examples.length * ROUNDS);
let n = 0;
started = performance.now();
cpuStarted = cpuMs();
for (let round = 0; round < ROUNDS; round++) {
  for (const e of examples) {
    const t = performance.now();
    classifier.classify(e.text);
    perCall[n++] = performance.now() - t;
  }
}
const totalMs = performance.now() - started;
const totalCpuMs = cpuMs() - cpuStarted;
perCall.sort();
const quantile = (q: number) => perCall[Math.min(perCall.length - 1, Math.floor(q * perCall.length))]! * 1000;

const scores = evaluate(classifier);

console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown cpu'} × ${os.cpus().length}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, node ${process.version}`,
);
console.log(`training on ${examples.length} utterances: ${trainMs.toFixed(0)} ms wall, ${trainCpuMs.toFixed(0)} ms CPU`);
const rate = (ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');
console.log(
  `classified ${n} utterances (${examples.length} × ${ROUNDS}) in ${totalMs.toFixed(0)} ms wall (${rate(totalMs)}/s), ${totalCpuMs.toFixed(0)} ms CPU (${rate(totalCpuMs)}/s)`,
);
console.log(`per call: p50 ${quantile(0.5).toFixed(1)} µs, p99 ${quantile(0.99).toFixed(1)} µs, max ${quantile(1).toFixed(1)} µs`);
const pct = (x: number) => x.toFixed(3);
console.log(
  `held out ${scores.total}: accuracy ${pct(scores.accuracy)} (${Object.entries(scores.byLanguage)
    .map(([l, v]) => `${l} ${pct(v.accuracy)} of ${v.total}`)
    .join(', ')})`,
);
console.log(
  `complaints: recall ${pct(scores.complaintRecall)}, precision ${pct(scores.complaintPrecision)} (${scores.byIntent.complaint?.support ?? 0} held out)`,
);
console.log(
  `opt-outs: opt_out recall ${pct(scores.optOutRecall)}, prohibition forms ${pct(scores.prohibitionRecall)}, caught or confirmed ${pct(scores.optOutCaught)}; answered with something sent ${scores.optOutsSentSomething.length}; false opt_out ${scores.falseOptOuts.length}; refusals taken for opt-outs ${scores.refusalsTakenForOptOuts.length}`,
);
console.log(
  Object.entries(scores.byIntent)
    .map(([i, v]) => `${i} ${pct(v.precision)} / ${pct(v.recall)}`)
    .join(', '),
);
for (const m of scores.mistakes) console.log(`  ${m.example.language} ${m.example.intent} → ${m.got}: ${m.example.text}`);
