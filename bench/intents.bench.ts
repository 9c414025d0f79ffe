/**
 * Intent classifier benchmark: trains the offline classifier on the shipped data (timed),
 * then classifies every shipped utterance (both languages) for several rounds on one core.
 * Reports classifications per second, p50/p99 per call, and the held-out accuracy and
 * opt_out recall of a model trained without the held-out fifth (the same split as the tests).
 *
 *   npm run bench:intents
 *   npm run bench:intents -- --rounds 20
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { builtInExamples, createOfflineClassifier } from '../core/intents/classifier.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '10' } } });
const ROUNDS = Number(values.rounds);

const hash = (text: string) => {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619);
  return h >>> 0;
};

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

const heldOut = examples.filter((e) => hash(e.text) % 5 === 0);
const split = createOfflineClassifier(examples.filter((e) => hash(e.text) % 5 !== 0));
const correct = heldOut.filter((e) => split.classify(e.text).intent === e.intent).length;
const optOuts = heldOut.filter((e) => e.intent === 'opt_out');
const caught = optOuts.filter((e) => split.classify(e.text).intent === 'opt_out').length;

console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'} × ${os.cpus().length}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}`);
console.log(`training on ${examples.length} utterances: ${trainMs.toFixed(0)} ms wall, ${trainCpuMs.toFixed(0)} ms CPU`);
const rate = (ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');
console.log(`classified ${n} utterances (${examples.length} × ${ROUNDS}) in ${totalMs.toFixed(0)} ms wall (${rate(totalMs)}/s), ${totalCpuMs.toFixed(0)} ms CPU (${rate(totalCpuMs)}/s)`);
console.log(`per call: p50 ${quantile(0.5).toFixed(1)} µs, p99 ${quantile(0.99).toFixed(1)} µs, max ${quantile(1).toFixed(1)} µs`);
console.log(`held out ${heldOut.length}: accuracy ${(correct / heldOut.length).toFixed(3)}, opt_out recall ${(caught / optOuts.length).toFixed(3)} (${caught}/${optOuts.length})`);
