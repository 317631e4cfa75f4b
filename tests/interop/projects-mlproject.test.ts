/**
 * Real MLflow (its loader, mlflow.projects._project_spec.load_project, not a YAML read) parses
 * every MLproject the lab ships, and sees the same entry points, parameters, defaults and
 * commands as the lab; it ignores the lab's `mfflow` key. An MLproject written for MLflow
 * (python_env, bare types, uri, strings needing quotes) reads the same in the lab.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPython } from './python';
import { loadExampleProject, fromFiles, type LoadedProject } from '../../src/lib/projects/project-files';
import { computeCommand } from '../../src/lib/projects/parameters';
import { getEntryPoint, ProjectError } from '../../src/lib/projects/mlproject';
import { scriptProjectFiles } from '../../src/lib/projects/script-project';

interface Seen {
  name: string | null; env_type: string; env_file: string | null;
  entry_points: Record<string, { parameters: { name: string; type: string; default: string | null }[]; command: string }>;
  computed?: string; error?: string;
}

function writeProject(files: Map<string, Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mfflow-project-'));
  for (const [p, b] of files) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), b);
  }
  return dir;
}

function expectSame(lab: LoadedProject, seen: Seen, entryPoint: string, params: Record<string, string>) {
  expect(seen.name).toBe(lab.project.name);
  expect(seen.env_type).toBe(lab.project.env.type === 'local' ? 'python_env' : lab.project.env.type);
  expect(seen.env_file).toBe(lab.project.env.file ?? null);
  expect(Object.keys(seen.entry_points)).toEqual(Object.keys(lab.project.entryPoints));
  for (const [name, ep] of Object.entries(lab.project.entryPoints)) {
    expect(seen.entry_points[name].parameters).toEqual(ep.parameters);
    expect(seen.entry_points[name].command).toBe(ep.command);
  }
  let ours: { computed?: string; error?: string };
  try {
    ours = { computed: computeCommand(getEntryPoint(lab.project, entryPoint), params) };
  } catch (e) {
    expect(e).toBeInstanceOf(ProjectError);
    ours = { error: (e as Error).message };
  }
  expect(ours.computed ?? null).toBe(seen.computed ?? null);
  if (seen.error) expect(ours.error).toBe(seen.error);
}

const MLFLOW_STYLE = `name: My Project

python_env: files/config/python_env.yaml

entry_points:
  main:
    parameters:
      data_file: path
      regularization: {type: float, default: 0.1}
      label: {type: string, default: "it's a test"}
      source: {type: uri, default: "s3://bucket/key"}
    command: "python train.py -r {regularization} {data_file} --label {label} --source {source}"
  validate:
    parameters:
      data_file: path
    command: "python validate.py {data_file}"
`;

describe('MLflow reads the MLproject files of the lab, and the lab reads MLflow\'s', () => {
  it('the shipped examples/sklearn_elasticnet_wine, with -P alpha=0.42 and an undeclared value', () => {
    const lab = loadExampleProject('examples/sklearn_elasticnet_wine');
    const params = { alpha: '0.42', max_iter: '500' };
    const [seen] = runPython<Seen[]>('projects_load.py', [JSON.stringify([{ dir: writeProject(lab.files), entry_point: 'main', params }])]);
    expectSame(lab, seen, 'main', params);
    expect(seen.computed).toBe('python train.py 0.42 0.1 --max_iter 500');
    expect(lab.project.entryPoints.main.lab?.kind).toBe('train'); // the key MLflow ignored
  });

  it("an editor script saved as a project (Save as project): MLflow loads it and ignores its module key", () => {
    const lab = fromFiles('doubler.zip', scriptProjectFiles('doubler', 'await mfflow.startRun();'));
    const [seen] = runPython<Seen[]>('projects_load.py', [JSON.stringify([{ dir: writeProject(lab.files), entry_point: 'main', params: {} }])]);
    expectSame(lab, seen, 'main', {});
    expect(lab.project.entryPoints.main.lab?.kind).toBe('module');
  });

  it('an MLproject written for MLflow: python_env in a folder, bare types, quoting, a missing value', () => {
    const enc = new TextEncoder();
    const files = new Map([
      ['MLproject', enc.encode(MLFLOW_STYLE)],
      ['files/config/python_env.yaml', enc.encode('python: "3.11"\ndependencies:\n  - mlflow\n')],
      ['train.py', enc.encode('print(1)\n')],
    ]);
    const lab = fromFiles('my-project.zip', files);
    const dir = writeProject(files);
    const jobs = [
      { dir, entry_point: 'main', params: { data_file: 'data.csv', label: 'a b', extra: "x'y" } },
      { dir, entry_point: 'main', params: {} },
      { dir, entry_point: 'main', params: { data_file: 'd', source: 'not a uri' } },
      { dir, entry_point: 'run.py', params: { a: '1' } },
    ];
    const seen = runPython<Seen[]>('projects_load.py', [JSON.stringify(jobs)]);
    jobs.forEach((j, i) => expectSame(lab, seen[i], j.entry_point, j.params as Record<string, string>));
    expect(seen[1].error).toBe("No value given for missing parameters: 'data_file'");
    expect(seen[2].error).toBe('Expected URI for parameter source but got not a uri');
  });
});
