import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/lib/data/csv';
import { datasetId, datasetSource, pyJson, tableDigest, toMlflowDataset } from '../../src/lib/data/digest';
import { profileTable } from '../../src/lib/data/profile';
import type { StoredDataset } from '../../src/lib/data/types';
import { wineText } from '../data/wine';

const md5hex = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

describe('tableDigest', () => {
  it('is the same for the same data with another delimiter, line ending or quoting', async () => {
    const red = await wineText('winequality-red.csv');
    const variants = [
      red,
      red.replaceAll(';', ','),
      red.replaceAll(';', '\t').replaceAll('\n', '\r\n'),
      '\ufeff' + red.replaceAll('"', ''),
    ];
    const digests = await Promise.all(variants.map(async (v) => tableDigest((await parseCsv(v)).table)));
    expect(digests[0]).toMatch(/^[0-9a-f]{8}$/);
    expect(new Set(digests).size).toBe(1);
  });

  it('changes when a value, a name, a type or the row order changes', async () => {
    const base = tableDigest((await parseCsv('a,b\n1,x\n2,y\n')).table);
    const others = ['a,b\n1,x\n3,y\n', 'a,c\n1,x\n2,y\n', 'a,b\n2,y\n1,x\n', 'a,b\n1,1\n2,2\n', 'a,b\n1,x\n2,y\n2,y\n'];
    for (const o of others) expect(tableDigest((await parseCsv(o)).table)).not.toBe(base);
    expect(tableDigest((await parseCsv('a;b\r\n1.0;"x"\r\n2;y\r\n')).table)).toBe(base);
  });

  it('follows the documented serialisation (checked with node:crypto)', async () => {
    const { table } = await parseCsv('n,s\n1.5,hé\n,x\n');
    const parts: Buffer[] = [Buffer.from('mfflow-table-v1\n')];
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n);
      return b;
    };
    const text = (s: string) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);
    const f64 = (v: number) => {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(v);
      return b;
    };
    parts.push(u32(2), u32(2), text('n'), Buffer.from('n'), f64(1.5), Buffer.from('000000000000f87f', 'hex'));
    parts.push(text('s'), Buffer.from('s'), text('hé'), text('x'));
    expect(tableDigest(table)).toBe(md5hex(Buffer.concat(parts)).slice(0, 8));
  });
});

describe('MLflow dataset records', () => {
  it('datasetId is md5 of name then digest', () => {
    expect(datasetId('winequality-red', '3f2a9c1b')).toBe(md5hex('winequality-red3f2a9c1b'));
    expect(datasetId('vin rosé', 'ab')).toBe(md5hex(Buffer.from('vin roséab', 'utf8')));
  });

  it('pyJson writes what Python json.dumps writes', () => {
    expect(pyJson({ a: [1, 'x', true, null], 'é': 2.5 })).toBe('{"a": [1, "x", true, null], "\\u00e9": 2.5}');
    expect(pyJson('tab\there "q" 😀')).toBe('"tab\\there \\"q\\" \\ud83d\\ude00"');
  });

  it('sources: http URLs and local files', () => {
    expect(datasetSource({ url: 'https://example.org/w.csv' })).toEqual({ sourceType: 'http', source: '{"url": "https://example.org/w.csv"}' });
    expect(datasetSource({ fileName: 'w.csv' })).toEqual({ sourceType: 'local', source: '{"uri": "w.csv"}' });
  });

  it('toMlflowDataset builds schema, profile and context tag', async () => {
    const { table } = await parseCsv('alcohol,colour,quality\n9.4,red,5\n,white,6\n');
    const stored: StoredDataset = {
      digest: tableDigest(table),
      name: 'wine-sample',
      ...datasetSource({ url: 'https://example.org/wine.csv' }),
      createdAt: 0,
      byteSize: 40,
      delimiter: ',',
      profile: profileTable(table),
      table,
    };
    const input = toMlflowDataset(stored, 'training');
    expect(input.tags).toEqual({ 'mlflow.data.context': 'training' });
    expect(input.dataset).toEqual({
      name: 'wine-sample',
      digest: stored.digest,
      sourceType: 'http',
      source: '{"url": "https://example.org/wine.csv"}',
      schema:
        '{"mlflow_colspec": [{"type": "double", "name": "alcohol", "required": false}, ' +
        '{"type": "string", "name": "colour", "required": true}, {"type": "double", "name": "quality", "required": true}]}',
      profile: '{"num_rows": 2, "num_elements": 6}',
    });
    expect(JSON.parse(input.dataset.schema!).mlflow_colspec).toHaveLength(3);
  });
});
