/**
 * Which metric histories share a chart on the run page: `x` with `val_x` (Keras' names, e.g.
 * `loss` and `val_loss`), so over-fitting shows as two lines drawn apart on one scale. A
 * `val_x` without its `x` stays alone; everything keeps the order of `keys`.
 */
export interface MetricGroup {
  /** The chart's title: `loss / val_loss`, or the key. */
  title: string;
  keys: string[];
}

export function pairMetrics(keys: readonly string[]): MetricGroup[] {
  const present = new Set(keys);
  const paired = new Set<string>();
  for (const k of keys) if (!k.startsWith('val_') && present.has(`val_${k}`)) paired.add(`val_${k}`);
  const groups: MetricGroup[] = [];
  for (const k of keys) {
    if (paired.has(k)) continue;
    const v = `val_${k}`;
    groups.push(paired.has(v) ? { title: `${k} / ${v}`, keys: [k, v] } : { title: k, keys: [k] });
  }
  return groups;
}
