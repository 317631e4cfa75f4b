import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeLinkHref } from '../../src/lib/ui-model/safe-url';
import { isAllowedNoteInput, noteLinkAttributes, noteSanitizeConfig } from '../../src/lib/ui-model/markdown-policy';
import {
  csvPreviewRows, detectImage, previewKindForPath, prettyJson, svgDataUrl, textPreview,
} from '../../src/lib/ui-model/artifact-preview';
import { readMlmodel } from '../../src/lib/ui-model/mlmodel-view';

describe('safeLinkHref', () => {
  it('keeps http, https and mailto links, normalised', () => {
    expect(safeLinkHref('https://mlflow.org/docs')).toBe('https://mlflow.org/docs');
    expect(safeLinkHref('  HTTP://Example.com ')).toBe('http://example.com/');
    expect(safeLinkHref('mailto:a@b.org')).toBe('mailto:a@b.org');
  });

  it('R2: rejects script, data, blob, file, relative, credentialed and obfuscated URLs', () => {
    for (const bad of [
      'javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\nscript:alert(1)', 'java\tscript:alert(1)',
      '\u0000javascript:alert(1)', 'vbscript:x', 'data:text/html,<script>alert(1)</script>', 'blob:http://x/1', 'file:///etc/passwd',
      '/runs', '#/run/x', '//evil.example', 'https://bank.com@evil.example', 'https://u:p@x.org', '', null, undefined,
    ]) expect(safeLinkHref(bad), String(bad)).toBeNull();
  });

  it('R2: never returns anything but an http(s)/mailto URL (property)', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.string().map((s) => `javascript:${s}`)), (s) => {
      const out = safeLinkHref(s);
      if (out !== null) expect(out).toMatch(/^(https?:\/\/|mailto:)/);
    }));
  });
});

describe('note policy', () => {
  it('R1: allows no tags or attributes that can run script, load content or clobber the DOM', () => {
    const cfg = noteSanitizeConfig();
    for (const t of ['script', 'img', 'iframe', 'svg', 'math', 'style', 'form', 'object', 'embed', 'link', 'meta', 'base']) {
      expect(cfg.ALLOWED_TAGS).not.toContain(t);
    }
    for (const a of ['src', 'style', 'id', 'name', 'class', 'onerror', 'onclick', 'srcdoc', 'formaction']) expect(cfg.ALLOWED_ATTR).not.toContain(a);
    expect(noteLinkAttributes('javascript:alert(1)')).toBeNull();
    expect(noteLinkAttributes('https://x.org')).toEqual({ href: 'https://x.org/', target: '_blank', rel: 'noopener noreferrer nofollow' });
    expect(isAllowedNoteInput('checkbox', true)).toBe(true);
    expect(isAllowedNoteInput('text', true)).toBe(false);
    expect(isAllowedNoteInput('checkbox', false)).toBe(false);
  });
});

describe('artifact previews', () => {
  it('R4: picks previews by name and trusts image types only from magic bytes', () => {
    expect(previewKindForPath('model/MLmodel')).toBe('mlmodel');
    expect(previewKindForPath('plots/a.PNG')).toBe('image');
    expect(previewKindForPath('x.svg')).toBe('svg');
    expect(previewKindForPath('report.html')).toBe('html');
    expect(previewKindForPath('data/train.csv')).toBe('csv');
    expect(previewKindForPath('conda.yaml')).toBe('yaml');
    expect(previewKindForPath('model/model.onnx')).toBe('binary');
    expect(previewKindForPath('.hidden')).toBe('text');
    expect(detectImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('image/png');
    expect(detectImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(detectImage(new TextEncoder().encode('GIF89a...'))).toBe('image/gif');
    expect(detectImage(new TextEncoder().encode('<svg onload="alert(1)">'))).toBeNull();
    expect(detectImage(new TextEncoder().encode('<html><script>'))).toBeNull();
  });

  it('R5: truncates big text at the limit without a broken character', () => {
    const bytes = new TextEncoder().encode('é'.repeat(100));
    const cut = textPreview(bytes, 51);
    expect(cut.truncated).toBe(true);
    expect(cut.text).toBe('é'.repeat(25));
    expect(textPreview(bytes, 200)).toEqual({ text: 'é'.repeat(100), truncated: false });
  });

  it('parses CSV previews with quotes, CRLF and a row cap', () => {
    const text = 'a,"b,c"\r\n1,"say ""hi"""\n2,"multi\nline"\n3,x\n';
    expect(csvPreviewRows(text)).toEqual({ rows: [['a', 'b,c'], ['1', 'say "hi"'], ['2', 'multi\nline'], ['3', 'x']], more: false });
    expect(csvPreviewRows(text, 2)).toEqual({ rows: [['a', 'b,c'], ['1', 'say "hi"'], ['2', 'multi\nline']], more: true });
    expect(csvPreviewRows('h\n1\n2', 2)).toEqual({ rows: [['h'], ['1'], ['2']], more: false });
  });

  it('pretty-prints JSON, makes SVG data URLs that decode back', () => {
    expect(prettyJson('{"a":[1]}')).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(prettyJson('{oops')).toBeNull();
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>');
    const url = svgDataUrl(svg);
    expect(url.startsWith('data:image/svg+xml;base64,')).toBe(true);
    expect(Buffer.from(url.split(',')[1], 'base64').toString()).toBe(new TextDecoder().decode(svg));
  });
});

describe('readMlmodel', () => {
  const mlmodel = `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
    loader_module: mlflow.sklearn
    python_version: 3.11.9
  sklearn:
    pickled_model: model.pkl
    sklearn_version: 1.6.1
run_id: abc
signature:
  inputs: '[{"type": "double", "name": "fixed acidity", "required": true}, {"type": "double", "name": "pH", "required": true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]'
  params: null
`;
  it('lists flavors and signature columns', () => {
    const v = readMlmodel(mlmodel);
    expect(v.fields).toEqual([['artifact_path', 'model'], ['run_id', 'abc']]);
    expect(v.flavors.map((f) => f.name)).toEqual(['python_function', 'sklearn']);
    expect(v.flavors[0].settings).toContainEqual(['env', '{"conda":"conda.yaml"}']);
    expect(v.signature?.inputs).toEqual([
      { name: 'fixed acidity', type: 'double', required: true }, { name: 'pH', type: 'double', required: true },
    ]);
    expect(v.signature?.outputs).toEqual([{ name: '#0', type: 'tensor float64', shape: '(-1)' }]);
    expect(v.signature?.params).toBeNull();
  });

  it('Y2: refuses YAML tags such as !!js/function instead of running them', () => {
    expect(() => readMlmodel('flavors: !!js/function "function(){ return 1 }"')).toThrow();
  });
});
