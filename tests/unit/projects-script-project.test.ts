import { describe, expect, it } from 'vitest';
import { fromFiles } from '../../src/lib/projects/project-files';
import { checkProjectName, scriptProjectFiles, SCRIPT_MODULE } from '../../src/lib/projects/script-project';
import { ProjectError } from '../../src/lib/projects/mlproject';

const dec = new TextDecoder();

describe('an editor script saved as a project', () => {
  it('is an MLproject whose main runs script.js, the script wrapped as main({ params, mfflow, tf, data })', () => {
    const files = scriptProjectFiles(' my-run.v2 ', 'await mfflow.startRun();\nconsole.log(1);\n\n');
    const p = fromFiles('x.zip', files);
    expect(p.project.name).toBe('my-run.v2');
    expect(p.project.entryPoints.main.lab).toMatchObject({ kind: 'module', path: SCRIPT_MODULE });
    expect(dec.decode(files.get(SCRIPT_MODULE))).toBe('export async function main({ params, mfflow, tf, data }) {\nawait mfflow.startRun();\nconsole.log(1);\n}\n');
  });

  it('refuses names that are not a plain file-like name, saying what is allowed', () => {
    for (const bad of ['', ' ', '.hidden', 'a/b', 'two words', 'x'.repeat(65), 'name: y']) {
      expect(() => checkProjectName(bad)).toThrow(ProjectError);
    }
    expect(() => scriptProjectFiles('a/b', '')).toThrow("'a/b' cannot name a project: use 1 to 64 letters, digits, '_', '-' or '.', not starting with '.'");
  });
});
