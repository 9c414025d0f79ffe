/**
 * A small multinomial logistic regression over n-gram features, trained at load time.
 * Chosen over naive Bayes because its probabilities are usable as a confidence and it
 * weighs overlapping n-grams ("not" + "interested") without double counting them.
 */

/** Unit n-grams of the canonical text plus character trigrams of Latin words. */
export function features(text: string): string[] {
  // A unit is one Chinese character or one Latin/number word, so the same n-gram code
  // serves Chinese (character n-grams) and English (word n-grams) and mixed speech.
  const units: string[] = ['^'];
  for (const token of text.split(' ')) {
    if (!token) continue;
    for (const part of token.match(/\p{Script=Han}|[^\p{Script=Han}]+/gu) ?? []) units.push(part);
  }
  units.push('$');
  const out = new Set<string>();
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!;
    if (u !== '^' && u !== '$') out.add(u);
    if (i + 1 < units.length) out.add(`${u} ${units[i + 1]}`);
    if (i + 2 < units.length) out.add(`${u} ${units[i + 1]} ${units[i + 2]}`);
    // Character trigrams let a misrecognised word ("unsubscibe") still vote.
    if (u.length > 3 && /^[a-z]/.test(u)) {
      const w = `<${u}>`;
      for (let j = 0; j + 3 <= w.length; j++) out.add(`#${w.slice(j, j + 3)}`);
    }
  }
  return [...out];
}

export interface Model {
  classes: readonly string[];
  /** Probabilities over `classes` (sums to 1). */
  predict(text: string): Float64Array;
}

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
}

/** Deterministic xorshift, so the same data always trains the same model. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

export function trainModel(examples: { text: string; label: number }[], classes: readonly string[], options: TrainOptions = {}): Model {
  const { epochs = 8, learningRate = 0.8, l2 = 1e-5 } = options;
  const k = classes.length;
  const index = new Map<string, number>();
  const rows = examples.map(({ text, label }) => {
    const ids = features(text).map((f) => {
      let id = index.get(f);
      if (id === undefined) index.set(f, (id = index.size));
      return id;
    });
    return { ids: Int32Array.from(ids), label, scale: 1 / Math.sqrt(Math.max(ids.length, 1)) };
  });
  const w = new Float64Array((index.size + 1) * k); // last row is the bias
  const g2 = new Float64Array(w.length).fill(1e-8); // AdaGrad: rare n-grams keep a larger step
  const bias = index.size * k;
  const p = new Float64Array(k);
  const random = rng(0x5eed);
  const order = rows.map((_, i) => i);

  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let o = 0; o < order.length; o++) {
      const row = rows[order[o]!]!;
      scores(w, row.ids, row.scale, bias, k, p);
      for (let c = 0; c < k; c++) {
        const grad = p[c]! - (c === row.label ? 1 : 0);
        // Once an example is fitted most of its gradients are ~0; skipping them makes
        // the later epochs nearly free (training must stay well under a second).
        if (grad > -1e-3 && grad < 1e-3) continue;
        const ids = row.ids;
        for (let i = 0; i < ids.length; i++) step(ids[i]! * k + c, grad * row.scale);
        step(bias + c, grad);
      }
    }
  }

  function step(at: number, grad: number) {
    const wa = w[at]!;
    const g = grad + l2 * wa;
    const acc = g2[at]! + g * g;
    g2[at] = acc;
    w[at] = wa - (learningRate * g) / Math.sqrt(acc);
  }

  return {
    classes,
    predict(text) {
      const all = features(text);
      const ids: number[] = [];
      for (const f of all) {
        const id = index.get(f);
        if (id !== undefined) ids.push(id);
      }
      const out = new Float64Array(k);
      // Scale by the utterance's own n-gram count, seen or not, so unseen words dilute
      // the evidence instead of being ignored: gibberish stays unsure.
      scores(w, ids, 1 / Math.sqrt(Math.max(all.length, 1)), bias, k, out);
      return out;
    },
  };
}

/** Softmax of the linear scores into `out`. */
function scores(w: Float64Array, ids: ArrayLike<number>, scale: number, bias: number, k: number, out: Float64Array) {
  let max = -Infinity;
  for (let c = 0; c < k; c++) {
    let s = w[bias + c]!;
    for (let i = 0; i < ids.length; i++) s += w[ids[i]! * k + c]! * scale;
    out[c] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let c = 0; c < k; c++) sum += out[c] = Math.exp(out[c]! - max);
  for (let c = 0; c < k; c++) out[c]! /= sum;
}
