/**
 * Builds one column while rows stream in. A column starts numeric (Float64Array, NaN for
 * missing) and turns into text the first time a cell is neither a number nor a missing token.
 * Keeping numbers, not strings, is what lets a 200 MB file fit: strings cost ~30 bytes a cell.
 */
import { isMissingText, NUMBER_RE, printsBack } from './cells';
import type { ColumnType } from './types';

/**
 * A numeric column remembers the original text of cells whose number does not print back the
 * same ('007', '1.50', ' 3', 'NA'), so that if it later turns into text the early cells keep their
 * spelling. Past this many such cells per column we stop remembering (memory over fidelity) and
 * a later switch to text prints those cells as JavaScript numbers.
 */
const MAX_REMEMBERED_TEXTS = 100_000;
const MAX_INTERNED = 10_000;

export class ColumnBuilder {
  readonly name: string;
  missing = 0;
  private nums: Float64Array | null = new Float64Array(1024);
  private strs: string[] | null = null;
  private texts: Map<number, string> | null = new Map();
  private length = 0;
  private pool: Map<string, string> | null = new Map();

  constructor(name: string) {
    this.name = name;
  }

  get type(): ColumnType {
    return this.strs ? 'string' : 'number';
  }

  push(cell: string): void {
    if (this.strs) {
      if (isMissingText(cell)) this.missing++;
      this.strs.push(this.intern(cell));
      this.length++;
      return;
    }
    if (isMissingText(cell)) {
      this.missing++;
      if (cell !== '') this.remember(cell);
      this.append(NaN);
      return;
    }
    if (NUMBER_RE.test(cell)) {
      const v = +cell;
      if (Number.isFinite(v)) {
        if (!printsBack(cell, v)) this.remember(cell);
        this.append(v);
        return;
      }
    }
    this.toText();
    this.strs!.push(this.intern(cell));
    this.length++;
  }

  /**
   * Categorical columns repeat a few values millions of times; storing one copy of each keeps
   * the heap small and garbage collection cheap (it dominated the parse time without this).
   * Columns with too many distinct values (IDs, free text) stop interning.
   */
  private intern(cell: string): string {
    const pool = this.pool;
    if (!pool) return cell;
    const known = pool.get(cell);
    if (known !== undefined) return known;
    if (pool.size >= MAX_INTERNED) this.pool = null;
    else pool.set(cell, cell);
    return cell;
  }

  /** The finished column: an exact-length Float64Array (its own buffer, transferable) or strings. */
  finish(): Float64Array | string[] {
    if (this.strs) return this.strs;
    const out = this.nums!.slice(0, this.length);
    this.nums = null;
    this.texts = null;
    return out;
  }

  private append(v: number): void {
    let nums = this.nums!;
    if (this.length === nums.length) {
      const grown = new Float64Array(nums.length * 2);
      grown.set(nums);
      nums = this.nums = grown;
    }
    nums[this.length++] = v;
  }

  private remember(text: string): void {
    if (!this.texts) return;
    if (this.texts.size >= MAX_REMEMBERED_TEXTS) this.texts = null;
    else this.texts.set(this.length, text);
  }

  private toText(): void {
    const nums = this.nums!;
    const strs = new Array<string>(this.length);
    for (let i = 0; i < this.length; i++) {
      const t = this.texts?.get(i);
      strs[i] = t ?? (Number.isNaN(nums[i]) ? '' : String(nums[i]));
    }
    this.strs = strs.map((t) => this.intern(t));
    this.nums = null;
    this.texts = null;
  }
}
