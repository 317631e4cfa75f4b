import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getEntryPoint, parseMlproject, parseUserParams, ProjectError, shellQuote } from '../../src/lib/projects/mlproject';
import { computeCommand, computeParameters, formatTemplate, pyFloat, pyInt } from '../../src/lib/projects/parameters';
import { resolveTrainSpec } from '../../src/lib/projects/spec';
import { fromZip, listExampleProjects, loadExampleProject } from '../../src/lib/projects/project-files';
import { zipFiles } from '../../src/lib/archive/zip-write';

const MLFLOW_EXAMPLE = `name: tutorial

python_env: python_env.yaml

entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.5}
      l1_ratio: {type: float, default: 0.1}
    command: "python train.py {alpha} {l1_ratio}"
`;

const refused = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ProjectError);
    return (e as Error).message;
  }
  throw new Error('expected a ProjectError');
};

describe('MLproject parsing (MLflow rules)', () => {
  it("reads MLflow's sklearn_elasticnet_wine MLproject", () => {
    const p = parseMlproject(MLFLOW_EXAMPLE, new Set(['MLproject', 'python_env.yaml', 'train.py']));
    expect(p.name).toBe('tutorial');
    expect(p.env).toEqual({ type: 'python_env', file: 'python_env.yaml' });
    expect(p.entryPoints.main.parameters).toEqual([
      { name: 'alpha', type: 'float', default: '0.5' },
      { name: 'l1_ratio', type: 'float', default: '0.1' },
    ]);
    expect(p.entryPoints.main.lab).toBeNull();
    expect(computeCommand(p.entryPoints.main, { alpha: '0.42' })).toBe('python train.py 0.42 0.1');
  });

  it('a bare type means no default; a missing value is refused in MLflow words', () => {
    const p = parseMlproject('entry_points:\n  main:\n    parameters:\n      data: path\n      n: {type: int}\n    command: "x {data} {n}"\n');
    expect(p.entryPoints.main.parameters).toEqual([{ name: 'data', type: 'path', default: null }, { name: 'n', type: 'int', default: null }]);
    expect(refused(() => computeParameters(p.entryPoints.main, {}))).toBe("No value given for missing parameters: 'data', 'n'");
  });

  it('types default to string, unknown keys (ours and others) are ignored, env defaults to local', () => {
    const p = parseMlproject('entry_points:\n  main:\n    parameters:\n      s: {default: hi}\n    command: "echo {s}"\n    other: 1\nextra_top: yes\n');
    expect(p.entryPoints.main.parameters[0]).toEqual({ name: 's', type: 'string', default: 'hi' });
    expect(p.env.type).toBe('local');
    expect(p.name).toBeNull();
  });

  it('refuses several environments, a docker env without image, a missing env file', () => {
    expect(refused(() => parseMlproject('python_env: a.yaml\nconda_env: c.yaml\n'))).toBe(
      "Project cannot contain multiple environment fields: {'python_env', 'conda_env'}",
    );
    expect(refused(() => parseMlproject('docker_env: {volumes: [a]}\n'))).toBe(
      'Project configuration (MLproject file) was invalid: Docker environment specified but no image attribute found.',
    );
    expect(refused(() => parseMlproject('python_env: env.yaml\n', new Set(['MLproject'])))).toBe(
      'Project specified python_env file env.yaml, but no such file was found.',
    );
    expect(parseMlproject('docker_env: {image: mlflow-docker}\n').env).toEqual({ type: 'docker_env', image: 'mlflow-docker' });
    expect(parseMlproject('', new Set(['MLproject', 'conda.yaml'])).env).toEqual({ type: 'conda_env', file: 'conda.yaml' });
  });

  it('names the problem in a malformed file', () => {
    expect(refused(() => parseMlproject('- a\n- b\n'))).toMatch(/must be a mapping .* not a list/);
    expect(refused(() => parseMlproject('entry_points: [main]\n'))).toMatch(/entry_points must be a mapping/);
    expect(refused(() => parseMlproject('entry_points:\n  main:\n    command: [x]\n'))).toMatch(/command of entry point 'main' must be a string/);
    expect(refused(() => parseMlproject('name: [unclosed\n'))).toMatch(/^Project configuration \(MLproject file\) was invalid: MLproject: /);
    expect(refused(() => parseMlproject('entry_points:\n  main:\n    mfflow: {}\n'))).toMatch(/needs 'train'/);
  });

  it('finds entry points as get_entry_point does', () => {
    const p = parseMlproject(MLFLOW_EXAMPLE);
    expect(getEntryPoint(p, 'other.py').command).toBe('python other.py');
    expect(getEntryPoint(p, 'my script.sh').command).toBe("bash 'my script.sh'");
    expect(getEntryPoint(p, 'explore.js').lab).toEqual({ kind: 'module', path: 'explore.js' });
    expect(refused(() => getEntryPoint(p, 'nope'))).toBe(
      "Could not find nope among entry points ['main'] or interpret nope as a runnable script. Supported script file extensions: ['.py', '.sh']",
    );
  });
});

describe('-P values', () => {
  const ep = parseMlproject(`entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.5}
      n: {type: int, default: 3}
      data: {type: uri, default: "s3://b/k"}
      name: {type: string, default: "a b"}
    command: "run {alpha} {n} {data} {name}"
`).entryPoints.main;

  it('parses name=value lists with MLflow messages', () => {
    expect(parseUserParams(['alpha=0.42', 'expr=a=b'])).toEqual({ alpha: '0.42', expr: 'a=b' });
    expect(refused(() => parseUserParams(['alpha']))).toBe("Invalid format for -P parameter: 'alpha'. Use -P name=value.");
    expect(refused(() => parseUserParams(['a=1', 'a=2']))).toBe("Repeated parameter: 'a'");
  });

  it('types declared values, keeps raw strings, passes undeclared ones through', () => {
    const c = computeParameters(ep, { alpha: '.42', n: '1_000', extra_flag: 'x y' });
    expect(c.typed).toEqual({ alpha: 0.42, n: 1000, data: 's3://b/k', name: 'a b' });
    expect(c.params).toEqual({ alpha: '.42', n: '1_000', data: 's3://b/k', name: 'a b' });
    expect(c.extra).toEqual({ extra_flag: 'x y' });
    expect(computeCommand(ep, { alpha: '.42', extra_flag: 'x y' })).toBe("run .42 3 s3://b/k 'a b' --extra_flag 'x y'");
  });

  it('refuses wrong types before anything runs', () => {
    expect(refused(() => computeParameters(ep, { alpha: 'abc' }))).toBe('Expected float for parameter alpha but got abc');
    expect(refused(() => computeParameters(ep, { n: '4.5' }))).toBe('Expected int for parameter n but got 4.5');
    expect(refused(() => computeParameters(ep, { data: 'no-scheme' }))).toBe('Expected URI for parameter data but got no-scheme');
  });

  it("reads floats and ints as Python's float() and int() do", () => {
    for (const [s, v] of [['1e3', 1000], [' 2.5 ', 2.5], ['-inf', -Infinity], ['1_0.5', 10.5], ['5.', 5], ['+.5E-1', 0.05]] as const) expect(pyFloat(s)).toBe(v);
    expect(Number.isNaN(pyFloat('NaN'))).toBe(true);
    for (const s of ['', '1e', '0x10', '1__0', '_1', '1.2.3', 'one']) expect(pyFloat(s)).toBeNull();
    expect(pyInt(' -7 ')).toBe(-7);
    for (const s of ['1.0', '1e3', '']) expect(pyInt(s)).toBeNull();
    fc.assert(fc.property(fc.double({ noNaN: true }), (x) => pyFloat(String(x)) === x));
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => pyInt(String(n)) === n));
  });
});

describe('command templating', () => {
  it('formats {name}, keeps {{ }} as braces, names unknown or positional fields', () => {
    expect(formatTemplate('a {x} {{y}} }}', { x: '1' })).toBe('a 1 {y} }');
    expect(refused(() => formatTemplate('{nope}', {}))).toBe('The command uses {nope}, which is not a parameter of the entry point');
    expect(refused(() => formatTemplate('{}', {}))).toMatch(/only \{name\}/);
    expect(refused(() => formatTemplate('{x', { x: '1' }))).toMatch(/Single '\{'/);
    expect(refused(() => formatTemplate('x}', {}))).toMatch(/Single '\}'/);
  });

  it('quotes values as shlex.quote', () => {
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a-b_c.d/e:f,g=h+i@j%k')).toBe('a-b_c.d/e:f,g=h+i@j%k');
    expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
    expect(shellQuote('é')).toBe("'é'");
    // Whatever the value, a POSIX shell reads the quoted word back as the value.
    fc.assert(fc.property(fc.string(), (s) => unquoteSh(shellQuote(s)) === s));
  });

  it('templates a training spec: a whole {param} gives the typed value, extras reach params', () => {
    const p = loadExampleProject('examples/sklearn_elasticnet_wine').project;
    const ep = p.entryPoints.main;
    expect(ep.lab?.kind).toBe('train');
    const computed = computeParameters(ep, { alpha: '0.42', max_iter: '500' });
    const spec = resolveTrainSpec(ep.lab!.kind === 'train' ? ep.lab!.spec : null, computed);
    expect(spec).toMatchObject({ model: 'elasticnet', target: 'quality', params: { alpha: 0.42, l1_ratio: 0.1, max_iter: 500 } });
    expect(refused(() => resolveTrainSpec({ runName: 'r-{nope}' }, computed))).toMatch(/mfflow\.train\.runName uses \{nope\}/);
    expect(resolveTrainSpec({ runName: 'wine-{alpha}' }, computed).runName).toBe('wine-0.42');
  });
});

describe('project files', () => {
  it('ships the wine tutorial with MLflow defaults, listed as examples/sklearn_elasticnet_wine', () => {
    expect(listExampleProjects().map((e) => e.uri)).toEqual(['examples/sklearn_elasticnet_wine']);
    const { project, files } = loadExampleProject('examples/sklearn_elasticnet_wine');
    expect([...files.keys()].sort()).toEqual(['MLproject', 'README.md', 'python_env.yaml', 'train.py']);
    expect(project.entryPoints.main.parameters.map((p) => [p.name, p.type, p.default])).toEqual([['alpha', 'float', '0.5'], ['l1_ratio', 'float', '0.1']]);
    expect(project.env.type).toBe('python_env');
  });

  it('opens a zip with the MLproject at the root or in one top folder', () => {
    const enc = new TextEncoder();
    const flat = zipFiles(new Map([['MLproject', enc.encode(MLFLOW_EXAMPLE)], ['python_env.yaml', enc.encode('python: "3.11"\n')]]));
    expect(fromZip('flat.zip', flat).project.name).toBe('tutorial');
    const nested = zipFiles(new Map([['repo-0123456789abcdef0123456789abcdef01234567/MLproject', enc.encode(MLFLOW_EXAMPLE)], ['repo-0123456789abcdef0123456789abcdef01234567/python_env.yaml', enc.encode('python: "3.11"\n')]]));
    const loaded = fromZip('https://github.com/o/r/archive/0123456789abcdef0123456789abcdef01234567.zip', nested);
    expect([...loaded.files.keys()].sort()).toEqual(['MLproject', 'python_env.yaml']);
    expect(loaded.gitCommit).toBe('0123456789abcdef0123456789abcdef01234567');
    expect(refused(() => fromZip('x.zip', zipFiles(new Map([['a.txt', enc.encode('x')]]))))).toBe('x.zip has no MLproject file at its top level');
  });
});

describe('fast-check: any YAML gives a project or a clear error', () => {
  const yamlish = fc.oneof(
    fc.string(),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.record({
      name: fc.option(fc.string()),
      entry_points: fc.dictionary(fc.string({ minLength: 1 }), fc.oneof(
        fc.jsonValue(),
        fc.record({ parameters: fc.dictionary(fc.string({ minLength: 1 }), fc.oneof(fc.constantFrom('float', 'int', 'path', 'uri', 'string'), fc.record({ type: fc.string(), default: fc.jsonValue() }), fc.jsonValue())), command: fc.oneof(fc.string(), fc.jsonValue()) }),
      )),
    }).map((v) => JSON.stringify(v)),
  );
  it('never throws anything but a ProjectError', () => {
    fc.assert(fc.property(yamlish, fc.dictionary(fc.string(), fc.string()), (text, user) => {
      try {
        const p = parseMlproject(text);
        for (const ep of Object.values(p.entryPoints)) {
          try {
            computeParameters(ep, user);
            if (ep.command !== null) computeCommand(ep, user);
          } catch (e) {
            if (!(e instanceof ProjectError) || e.message === '') return false;
          }
        }
        return true;
      } catch (e) {
        return e instanceof ProjectError && e.message.length > 0;
      }
    }), { numRuns: 200 });
  });
});

/** Reads one POSIX shell word made of plain characters, '…' and "…" parts (no expansions in ours). */
function unquoteSh(word: string): string {
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const c = word[i];
    if (c === "'") { const end = word.indexOf("'", i + 1); out += word.slice(i + 1, end); i = end; } else if (c === '"') { const end = word.indexOf('"', i + 1); out += word.slice(i + 1, end); i = end; } else out += c;
  }
  return out;
}
