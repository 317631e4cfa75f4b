/**
 * An editor script saved as a project (the editor's "Save as project"): an `MLproject` whose
 * `main` entry point runs `script.js` in the lab through its `mfflow` key (real MLflow's loader
 * reads the file and ignores that key), and `script.js`, the script as an ES module whose
 * `main({ params, mfflow, tf, data })` holds the script's body (one line above it: error line
 * numbers are the editor's plus one).
 */
import { ProjectError } from './mlproject';

export const SCRIPT_MODULE = 'script.js';

/** A project name: letters, digits, `_`, `-` and `.`, 1 to 64 of them, not starting with `.`. */
export function checkProjectName(name: string): string {
  const n = name.trim();
  if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/.test(n)) {
    throw new ProjectError(`'${name}' cannot name a project: use 1 to 64 letters, digits, '_', '-' or '.', not starting with '.'`);
  }
  return n;
}

const enc = new TextEncoder();

export function scriptProjectFiles(name: string, script: string): Map<string, Uint8Array> {
  const n = checkProjectName(name);
  const mlproject = [
    `name: ${n}`,
    'entry_points:',
    '  main:',
    // MLflow needs a command; this one says where the project runs instead of failing obscurely.
    `    command: "echo 'This project runs in the MFFlow lab (a JavaScript entry point); open it there'"`,
    '    mfflow:',
    `      module: ${SCRIPT_MODULE}`,
    '',
  ].join('\n');
  const module = `export async function main({ params, mfflow, tf, data }) {\n${script.replace(/\s+$/, '')}\n}\n`;
  return new Map([['MLproject', enc.encode(mlproject)], [SCRIPT_MODULE, enc.encode(module)]]);
}
