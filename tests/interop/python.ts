/** Runs a Python script of tests/interop/py in the interop virtualenv and parses its JSON output. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const PYTHON = process.env.MFFLOW_PYTHON || join(__dirname, '.venv/bin/python');
/** The older MLflow 2 (requirements-mlflow2.txt), made by setup-venv.sh next to the main venv. */
export const PYTHON2 = process.env.MFFLOW_PYTHON2 || join(__dirname, '.venv-mlflow2/bin/python');

export function runPython<T = unknown>(script: string, args: string[] = [], input?: string, env: Record<string, string> = {}, python = PYTHON): T {
  const out = execFileSync(python, [join(__dirname, 'py', script), ...args], {
    input, encoding: 'utf8', maxBuffer: 1 << 30,
    env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true', PYTHONWARNINGS: 'ignore', ...env },
  });
  const lines = out.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
