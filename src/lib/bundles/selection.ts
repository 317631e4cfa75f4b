/** What an export covers: some runs, one experiment, or the whole lab. */
export type ExportSelection =
  | { kind: 'runs'; runIds: readonly string[] }
  | { kind: 'experiment'; experimentId: string }
  | { kind: 'lab' };
