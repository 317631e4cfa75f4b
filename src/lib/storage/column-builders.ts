/**
 * Growable typed arrays and string columns for encoding the run index (run-index-codec.ts).
 */

// One class per array type keeps each push monomorphic (a generic one measured slower).
export class U32 {
  length = 0;
  data: Uint32Array;
  constructor(capacity: number) { this.data = new Uint32Array(Math.max(16, capacity)); }
  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Uint32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }
  /** The pushed values; no copy when the capacity was exact. */
  done(): Uint32Array { return this.length === this.data.length ? this.data : this.data.slice(0, this.length); }
}

export class U8 {
  length = 0;
  data: Uint8Array;
  constructor(capacity: number) { this.data = new Uint8Array(Math.max(16, capacity)); }
  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Uint8Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }
  /** The pushed values; no copy when the capacity was exact. */
  done(): Uint8Array { return this.length === this.data.length ? this.data : this.data.slice(0, this.length); }
}

export class F64 {
  length = 0;
  data: Float64Array;
  constructor(capacity: number) { this.data = new Float64Array(Math.max(16, capacity)); }
  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }
  /** The pushed values; no copy when the capacity was exact. */
  done(): Float64Array { return this.length === this.data.length ? this.data : this.data.slice(0, this.length); }
}

/** Strings joined in order, without deduplication. */
export class StringColumn {
  private readonly parts: string[] = [];
  readonly ends: U32;
  private size = 0;
  constructor(capacity: number) { this.ends = new U32(capacity); }
  push(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    this.ends.push(this.size);
  }
  done(): [string, Uint32Array] {
    if (this.size > 0xfffffffd) throw new RangeError('run index strings exceed 4 GiB');
    return [this.parts.join(''), this.ends.done()];
  }
}

/** Distinct strings, each stored once. */
export class StringTable {
  private readonly index = new Map<string, number>();
  private readonly column = new StringColumn(1024);
  private count = 0;
  // Runs repeat the same keys (and often values) in the same places. Comparing with the string
  // last seen in a place is much cheaper than a Map lookup, which hashes every new string.
  private readonly lastString: string[] = [];
  private readonly lastIndex: number[] = [];

  ref(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.count++;
      this.index.set(s, i);
      this.column.push(s);
    }
    return i;
  }

  /** ref(s), remembering it for `place` (a small integer naming where in a run `s` sits). */
  refAt(place: number, s: string): number {
    if (this.lastString[place] === s) return this.lastIndex[place];
    const i = this.ref(s);
    this.lastString[place] = s;
    this.lastIndex[place] = i;
    return i;
  }
  done(): [string, Uint32Array] { return this.column.done(); }
}
