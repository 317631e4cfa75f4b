import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Papa from 'papaparse';
import { parseMLmodel } from '../../src/lib/mlflow/mlmodel';
import { inputSchemaOf, paramSpecsOf, type InputSchema } from '../../src/lib/serving/input-schema';
import { predictionsCsv, csvCell } from '../../src/lib/serving/predictions-csv';
import { parseJsonScoringBody, parseScoringRequest, pyFloat, requireFiniteRows, type ScoringBatch } from '../../src/lib/serving/scoring-request';
import { errorAnswer, predictionsJson, successAnswer } from '../../src/lib/serving/scoring-response';

const WINE = ['fixed acidity', 'volatile acidity', 'citric acid', 'residual sugar', 'chlorides', 'free sulfur dioxide',
  'total sulfur dioxide', 'density', 'pH', 'sulphates', 'alcohol'];
const ROW = [7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4];

// The MLmodel text as MLflow writes it for the tutorial's sklearn model (docs/mlflow-formats.md §2.2).
const mlmodel = `flavors:
  python_function:
    loader_module: mlflow.sklearn
signature:
  inputs: '[${WINE.map((n) => `{"type": "double", "name": "${n}", "required": true}`).join(', ')}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]'
  params: null
`;
const wine = inputSchemaOf(parseMLmodel(mlmodel).signature);

interface Answer { status: number; error_code?: string; message?: string; text?: string }

async function answerOf(p: Promise<unknown> | (() => unknown)): Promise<Answer | null> {
  try {
    await (typeof p === 'function' ? p() : p);
    return null;
  } catch (e) {
    const a = errorAnswer(e);
    return { status: a.status, ...(a.contentType === 'application/json' ? JSON.parse(a.body) as { error_code: string; message: string } : { text: a.body }) };
  }
}

const rowsOf = (b: ScoringBatch) => Array.from({ length: b.rowCount }, (_, i) => b.columns.map((c) => c[i]));

describe('scoring request formats', () => {
  it('the §4 example bodies give the wine row in signature order', async () => {
    const split = parseJsonScoringBody(JSON.stringify({ dataframe_split: { columns: WINE, data: [ROW] } }), wine);
    expect(split.names).toEqual(WINE);
    expect(rowsOf(split)).toEqual([ROW]);
    const shuffled = [...WINE].reverse();
    const records = parseJsonScoringBody(JSON.stringify({ dataframe_records: [Object.fromEntries(shuffled.map((n) => [n, ROW[WINE.indexOf(n)]]))] }), wine);
    expect(rowsOf(records)).toEqual([ROW]);
  });

  it('split, records, instances, inputs (column map) and CSV agree on any numeric table', async () => {
    const table = fc.array(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 11, maxLength: 11 }), { minLength: 1, maxLength: 8 });
    await fc.assert(fc.asyncProperty(table, async (rows) => {
      const records = rows.map((r) => Object.fromEntries(WINE.map((n, j) => [n, r[j]])));
      const columnMap = Object.fromEntries(WINE.map((n, j) => [n, rows.map((r) => r[j])]));
      const csv = `${WINE.join(',')}\n${rows.map((r) => r.map((x) => (Object.is(x, -0) ? '-0.0' : String(x))).join(',')).join('\n')}\n`;
      const batches = [
        parseJsonScoringBody(JSON.stringify({ dataframe_split: { columns: WINE, data: rows, index: rows.map((_, i) => i) } }), wine),
        parseJsonScoringBody(JSON.stringify({ dataframe_records: records }), wine),
        parseJsonScoringBody(JSON.stringify({ instances: records }), wine),
        parseJsonScoringBody(JSON.stringify({ inputs: columnMap }), wine),
        await parseScoringRequest(csv, 'text/csv; charset=utf-8', wine),
      ];
      const expected = rows.map((r) => r.map((x) => (Object.is(x, -0) ? 0 : x)));
      for (const b of batches) expect(rowsOf(b).map((r) => r.map((x) => (Object.is(x, -0) ? 0 : x)))).toEqual(expected);
    }), { numRuns: 40 });
  });

  it('a body that is not one object with exactly one format key is a 400 BAD_REQUEST', async () => {
    for (const body of ['[{"alcohol": 1}]', '"x"', 'null', '{}', '{"dataframe_split": {"columns": [], "data": []}, "inputs": []}', '{"data": [[1]]}', '{not json', '{"dataframe_records": {"a": 1}}', '{"dataframe_split": {"columns": ["a", "b"], "data": [[1]]}}']) {
      const a = await answerOf(() => parseJsonScoringBody(body, wine));
      expect(a, body).toMatchObject({ status: 400, error_code: 'BAD_REQUEST' });
    }
  });

  it('missing inputs are 400 INVALID_PARAMETER_VALUE; values that cannot be cast are 400 BAD_REQUEST', async () => {
    const missing = await answerOf(() => parseJsonScoringBody(JSON.stringify({ dataframe_records: [{ alcohol: 9.4, extra: 1 }] }), wine));
    expect(missing).toMatchObject({ status: 400, error_code: 'INVALID_PARAMETER_VALUE' });
    expect(missing!.message).toContain("Model is missing inputs ['fixed acidity', 'volatile acidity'");
    expect(missing!.message).toContain("extra inputs: ['extra']");
    // With a signature, values are cast as pandas casts them: numeric text and booleans become numbers…
    const cast = parseJsonScoringBody(JSON.stringify({ dataframe_split: { columns: WINE, data: [[' 7.4 ', true, '1_0', 'nan', '-inf', ...ROW.slice(5)]] } }), wine);
    expect(rowsOf(cast)[0].slice(0, 5)).toEqual([7.4, 1, 10, NaN, -Infinity]);
    // …and what cannot be cast is a BAD_REQUEST naming the column.
    for (const bad of ['"abc"', '"1e"', '"0x1A"', '[1]', '{"a": 1}']) {
      const row = ROW.map(String);
      row[0] = bad;
      const a = await answerOf(() => parseJsonScoringBody(`{"dataframe_split": {"columns": ${JSON.stringify(WINE)}, "data": [[${row.join(',')}]]}}`, wine));
      expect(a, bad).toMatchObject({ status: 400, error_code: 'BAD_REQUEST' });
      expect(a!.message).toContain('fixed acidity');
    }
    const csvBad = await answerOf(parseScoringRequest(`${WINE.join(',')}\nabc,${ROW.slice(1).join(',')}\n`, 'text/csv', wine));
    expect(csvBad).toMatchObject({ status: 400, error_code: 'BAD_REQUEST' });
  });

  it('extra columns are ignored with a warning; null in a double column is NaN', () => {
    const b = parseJsonScoringBody(JSON.stringify({ dataframe_split: { columns: ['id', ...WINE], data: [[1, null, ...ROW.slice(1)]] } }), wine);
    expect(b.names).toEqual(WINE);
    expect(Number.isNaN(b.columns[0][0])).toBe(true);
    expect(b.columns[10][0]).toBe(9.4);
    expect(b.warnings.join()).toContain("['id']");
  });

  it('integer, float and boolean columns follow their types; rows under instances are positional', () => {
    const schema: InputSchema = { kind: 'columns', columns: [{ name: 'n', type: 'long', required: true }, { name: 'f', type: 'float', required: true }, { name: 'b', type: 'boolean', required: true }] };
    const ok = parseJsonScoringBody('{"inputs": {"n": [1, 2], "f": [0.1, 2], "b": [true, false]}}', schema);
    expect(rowsOf(ok)).toEqual([[1, Math.fround(0.1), 1], [2, 2, 0]]);
    expect(() => parseJsonScoringBody('{"inputs": {"n": [1.5], "f": [1], "b": [true]}}', schema)).toThrow(/column n/);
    expect(() => parseJsonScoringBody('{"inputs": {"n": [null], "f": [1], "b": [true]}}', schema)).toThrow(/column n/);
    expect(() => parseJsonScoringBody('{"inputs": {"n": [1], "f": [1], "b": ["yes"]}}', schema)).toThrow(/column b/);
    // As in MLflow, a list of rows has no names, so a named signature reports every input missing.
    expect(() => parseJsonScoringBody('{"instances": [[1, 2, true]]}', schema)).toThrow(/missing inputs \['n', 'f', 'b'\]/);
    const tensor: InputSchema = { kind: 'tensor', width: 2, dtype: 'float32' };
    expect(rowsOf(parseJsonScoringBody('{"instances": [[1, 2], [3, 4]]}', tensor))).toEqual([[1, 2], [3, 4]]);
    expect(() => parseJsonScoringBody('{"instances": [[1, 2, 3]]}', tensor)).toThrow(/expected shape \(-1, 2\)/);
  });

  it('params: ignored with a warning without a params schema; defaults filled with one', () => {
    const none = parseJsonScoringBody(JSON.stringify({ dataframe_split: { columns: WINE, data: [ROW] }, params: { k: 1 } }), wine);
    expect([none.params, none.warnings.length]).toEqual([null, 1]);
    const specs = paramSpecsOf({ inputs: [], outputs: null, params: [{ name: 'threshold', type: 'double', default: 0.5, shape: null }] });
    const b = parseJsonScoringBody(JSON.stringify({ dataframe_split: { columns: WINE, data: [ROW] } }), wine, specs);
    expect(b.params).toEqual({ threshold: 0.5 });
    expect(parseJsonScoringBody(JSON.stringify({ dataframe_split: { columns: WINE, data: [ROW] }, params: { threshold: 0.9 } }), wine, specs).params).toEqual({ threshold: 0.9 });
    expect(() => parseJsonScoringBody(JSON.stringify({ dataframe_split: { columns: WINE, data: [ROW] }, params: [1] }), wine)).toThrow(/params/);
  });

  it('content types: only application/json and text/csv, only charset=utf-8; others are 415 text/plain', async () => {
    const body = JSON.stringify({ dataframe_split: { columns: WINE, data: [ROW] } });
    expect((await parseScoringRequest(body, 'application/json; charset=UTF-8', wine)).rowCount).toBe(1);
    for (const ct of ['application/csv', 'text/plain', 'application/json; charset=latin-1', 'application/json; format=pandas-split']) {
      expect(await answerOf(parseScoringRequest(body, ct, wine)), ct).toMatchObject({ status: 415 });
    }
  });
});

describe('model input checks', () => {
  it('pyFloat reads what Python float() reads', () => {
    const cases: [string, number | null][] = [[' 1.5 ', 1.5], ['1_000', 1000], ['-.5e-1', -0.05], ['5.', 5], ['+inf', Infinity], ['-Infinity', -Infinity],
      ['1__0', null], ['_1', null], ['.', null], ['e5', null], ['0x10', null], ['1e', null], ['', null]];
    for (const [text, want] of cases) expect(pyFloat(text), text).toBe(want);
    expect(pyFloat('NaN')).toBeNaN();
  });

  it('requireFiniteRows refuses empty batches and NaN/inf inputs with BAD_REQUEST', async () => {
    const ok = parseJsonScoringBody(JSON.stringify({ dataframe_split: { columns: WINE, data: [ROW] } }), wine);
    expect(() => requireFiniteRows(ok)).not.toThrow();
    for (const data of [[], [[null, ...ROW.slice(1)]], [['inf', ...ROW.slice(1)]]]) {
      const b = parseJsonScoringBody(JSON.stringify({ dataframe_split: { columns: WINE, data } }), wine);
      expect(await answerOf(() => requireFiniteRows(b))).toMatchObject({ status: 400, error_code: 'BAD_REQUEST' });
    }
  });
});

describe('scoring answers', () => {
  it('predictions and errors in MLflow shapes and statuses', () => {
    expect(JSON.parse(successAnswer(Float64Array.of(5.25, -1)).body)).toEqual({ predictions: [5.25, -1] });
    expect(predictionsJson(Float64Array.of(NaN))).toBe('{"predictions": [NaN]}');
    expect(JSON.parse(predictionsJson({ labels: ['red'], classes: ['red', 'white'], probabilities: Float64Array.of(0.75, 0.25) })))
      .toEqual({ predictions: [{ label: 'red', probabilities: [0.75, 0.25] }] });
    expect(errorAnswer(new Error('boom'))).toMatchObject({ status: 500 });
  });
});

describe('predictions CSV', () => {
  it('C4: defuses formulas in text cells, keeps numbers numeric, quotes when needed', () => {
    const csv = predictionsCsv([
      { name: 'id', values: ['=HYPERLINK("x")', '+1', '-2', '@SUM(A1)', '\tx', '\rx', 'plain', 'a,b'] },
      { name: '=prediction', values: Float64Array.of(-1.5, 2, NaN, 1e-7, -0, 3, 4, 5) },
    ]);
    expect(csv.split('\n').slice(0, 4)).toEqual(["id,'=prediction", `"'=HYPERLINK(""x"")",-1.5`, "'+1,2", "'-2,"]);
    const rows = Papa.parse<string[]>(csv, { skipEmptyLines: true }).data;
    expect(rows.slice(1).map((r) => r[0])).toEqual(["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", 'plain', 'a,b']);
    expect(rows.slice(1).map((r) => Number(r[1]))).toEqual([-1.5, 2, 0, 1e-7, 0, 3, 4, 5]);
    expect(csvCell(-3)).toBe('-3');
  });

  it('C4: text that cannot start a formula round-trips through a CSV parser unchanged', () => {
    const safeText = fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !/^[=+\-@\t\r]/.test(s) && s !== '');
    fc.assert(fc.property(fc.array(safeText, { minLength: 1, maxLength: 5 }), (cells) => {
      const csv = predictionsCsv([{ name: 'text', values: cells }]);
      const parsed = Papa.parse<string[]>(csv, { newline: '\n' }).data;
      expect(parsed.slice(1, cells.length + 1).map((r) => r[0])).toEqual(cells);
    }));
  });
});
