/**
 * Which metric histories share a chart on the run page: `x` with `val_x` (Keras' names, e.g.
 * `loss` and `val_loss`), or `train_x` with `val_x` when `x` has no history of its own (the
 * lab logs training metrics as `train_x` and keeps the bare name for the test score), so
 * over-fitting shows as two lines drawn apart on one scale. Key charts first: the pairs (loss
 * leading), then the rest, each in the order of `keys`.
 */
export interface MetricGroup {
  /** The chart's title: `loss / val_loss`, or the key. */
  title: string;
  keys: string[];
}

export function pairMetrics(keys: readonly string[]): MetricGroup[] {
  const present = new Set(keys);
  /** val_x → its partner. */
  const partnerOf = new Map<string, string>();
  for (const k of keys) {
    if (!k.startsWith('val_')) continue;
    const x = k.slice(4);
    if (x.startsWith('val_')) continue; // val_val_x is not val_x's validation curve
    if (present.has(x)) partnerOf.set(k, x);
    else if (present.has(`train_${x}`)) partnerOf.set(k, `train_${x}`);
  }
  const pairedWith = new Map([...partnerOf].map(([v, x]) => [x, v]));
  const pairs: MetricGroup[] = [];
  const single: MetricGroup[] = [];
  for (const k of keys) {
    if (partnerOf.has(k)) continue;
    const v = pairedWith.get(k);
    if (v !== undefined) pairs.push({ title: `${k} / ${v}`, keys: [k, v] });
    else single.push({ title: k, keys: [k] });
  }
  const loss = pairs.findIndex((g) => g.keys[0] === 'loss');
  if (loss > 0) pairs.unshift(...pairs.splice(loss, 1));
  return [...pairs, ...single];
}
