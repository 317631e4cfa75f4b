/**
 * Our scoring protocol against MLflow's own scoring server app (the FastAPI app of
 * `mlflow models serve`, called in process): the same request bodies must get the same HTTP
 * status, the same error_code and, on success, the same predictions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runPython } from './python';
import { inputSchemaOf } from '../../src/lib/serving/input-schema';
import { predictLinear } from '../../src/lib/serving/linear-model';
import { parseScoringRequest, requireFiniteRows } from '../../src/lib/serving/scoring-request';
import { errorAnswer, successAnswer, type ScoringAnswer } from '../../src/lib/serving/scoring-response';

const WINE = ['fixed acidity', 'volatile acidity', 'citric acid', 'residual sugar', 'chlorides', 'free sulfur dioxide',
  'total sulfur dioxide', 'density', 'pH', 'sulphates', 'alcohol'];
const ROW = [7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4];
const ROW2 = [7.8, 0.88, 0, 2.6, 0.098, 25, 67, 0.9968, 3.2, 0.68, 9.8];
const rec = (r: number[]) => Object.fromEntries(WINE.map((n, j) => [n, r[j]]));
const json = 'application/json';

const CASES: { name: string; body: string; contentType: string }[] = [
  { name: 'dataframe_split', body: JSON.stringify({ dataframe_split: { columns: WINE, data: [ROW, ROW2] } }), contentType: json },
  { name: 'dataframe_split with index', body: JSON.stringify({ dataframe_split: { index: [5, 6], columns: WINE, data: [ROW, ROW2] } }), contentType: json },
  { name: 'dataframe_records, keys shuffled', body: JSON.stringify({ dataframe_records: [rec(ROW), Object.fromEntries(Object.entries(rec(ROW2)).reverse())] }), contentType: json },
  { name: 'instances as records', body: JSON.stringify({ instances: [rec(ROW), rec(ROW2)] }), contentType: json },
  { name: 'inputs as a column map', body: JSON.stringify({ inputs: Object.fromEntries(WINE.map((n, j) => [n, [ROW[j], ROW2[j]]])) }), contentType: json },
  { name: 'charset=utf-8', body: JSON.stringify({ dataframe_split: { columns: WINE, data: [ROW] } }), contentType: 'application/json; charset=utf-8' },
  { name: 'an extra column', body: JSON.stringify({ dataframe_split: { columns: ['id', ...WINE], data: [[1, ...ROW]] } }), contentType: json },
  { name: 'params without a params schema', body: JSON.stringify({ dataframe_split: { columns: WINE, data: [ROW] }, params: { k: 1 } }), contentType: json },
  { name: 'text/csv', body: `${WINE.join(',')}\n${ROW.join(',')}\n${ROW2.join(',')}\n`, contentType: 'text/csv' },
  { name: 'top-level list', body: JSON.stringify([rec(ROW)]), contentType: json },
  { name: 'no format key', body: JSON.stringify({ data: [ROW] }), contentType: json },
  { name: 'two format keys', body: JSON.stringify({ dataframe_split: { columns: WINE, data: [ROW] }, inputs: [rec(ROW)] }), contentType: json },
  { name: 'not JSON', body: '{"dataframe_split": ', contentType: json },
  { name: 'missing columns', body: JSON.stringify({ dataframe_records: [{ alcohol: 9.4 }] }), contentType: json },
  { name: 'a numeric string', body: JSON.stringify({ dataframe_split: { columns: WINE, data: [['7.4', ...ROW.slice(1)]] } }), contentType: json },
  { name: 'a word', body: JSON.stringify({ dataframe_split: { columns: WINE, data: [['abc', ...ROW.slice(1)]] } }), contentType: json },
  { name: 'a boolean', body: JSON.stringify({ dataframe_split: { columns: WINE, data: [[true, ...ROW.slice(1)]] } }), contentType: json },
  { name: 'numeric strings with spaces, _ and nan', body: JSON.stringify({ dataframe_split: { columns: WINE, data: [[' 7.4 ', '1_0', 'nan', '-inf', '.5', '5.', '+1e1', ...ROW.slice(7)]] } }), contentType: json },
  { name: 'null in a double column', body: JSON.stringify({ dataframe_records: [{ ...rec(ROW), alcohol: null }] }), contentType: json },
  { name: 'a numeric string under inputs', body: JSON.stringify({ inputs: Object.fromEntries(WINE.map((n, j) => [n, [String(ROW[j])]])) }), contentType: json },
  { name: 'a word under instances', body: JSON.stringify({ instances: [{ ...rec(ROW), pH: 'high' }] }), contentType: json },
  { name: 'a list where a number belongs', body: JSON.stringify({ dataframe_split: { columns: WINE, data: [[[1], ...ROW.slice(1)]] } }), contentType: json },
  { name: 'numeric strings that parse', body: JSON.stringify({ dataframe_split: { columns: WINE, data: [[' 7.4 ', '1_0', '.5', '5.', '+1e1', ...ROW.slice(5)]] } }), contentType: json },
  { name: 'a ragged dataframe_split row', body: JSON.stringify({ dataframe_split: { columns: WINE, data: [ROW.slice(1)] } }), contentType: json },
  { name: 'empty data', body: JSON.stringify({ dataframe_split: { columns: WINE, data: [] } }), contentType: json },
  { name: 'rows under instances', body: JSON.stringify({ instances: [ROW] }), contentType: json },
  { name: 'CSV with a word', body: `${WINE.join(',')}\nabc,${ROW.slice(1).join(',')}\n`, contentType: 'text/csv' },
  { name: 'application/csv', body: `${WINE.join(',')}\n${ROW.join(',')}\n`, contentType: 'application/csv' },
  { name: 'charset=latin-1', body: JSON.stringify({ dataframe_split: { columns: WINE, data: [ROW] } }), contentType: 'application/json; charset=latin-1' },
  { name: 'unknown content-type parameter', body: JSON.stringify({ dataframe_split: { columns: WINE, data: [ROW] } }), contentType: 'application/json; format=pandas-split' },
];

interface Out { coef: number[]; intercept: number; answers: { status: number; body: string }[] }

let mlflow: Out;
beforeAll(() => {
  mlflow = runPython<Out>('serving_protocol.py', [], JSON.stringify({ columns: WINE, cases: CASES.map((c) => ({ body: c.body, content_type: c.contentType })) }));
}, 240_000);

const schema = inputSchemaOf({ inputs: WINE.map((name) => ({ type: 'double', name, required: true })), outputs: null, params: null });

async function ours(c: (typeof CASES)[number]): Promise<ScoringAnswer> {
  try {
    const batch = await parseScoringRequest(c.body, c.contentType, schema);
    requireFiniteRows(batch);
    const model = { featureNames: WINE, target: 'y', coef: Float64Array.from(mlflow.coef), intercept: mlflow.intercept, mean: null, scale: null };
    return successAnswer(predictLinear(model, batch.columns));
  } catch (e) {
    return errorAnswer(e);
  }
}

describe('scoring protocol vs mlflow models serve (3.17.2)', () => {
  for (const [i, c] of CASES.entries()) {
    it(c.name, async () => {
      const theirs = mlflow.answers[i];
      const mine = await ours(c);
      expect(mine.status, `${c.name}: MLflow said ${theirs.body.slice(0, 300)}; we said ${mine.body.slice(0, 300)}`).toBe(theirs.status);
      if (theirs.status === 200) {
        const a = JSON.parse(mine.body) as { predictions: number[] };
        const b = JSON.parse(theirs.body) as { predictions: number[] };
        expect(a.predictions.length).toBe(b.predictions.length);
        a.predictions.forEach((p, k) => expect(p).toBeCloseTo(b.predictions[k], 10));
      } else if (theirs.status !== 415) {
        expect((JSON.parse(mine.body) as { error_code: string }).error_code).toBe((JSON.parse(theirs.body) as { error_code: string }).error_code);
      }
    });
  }
});
