/**
 * Where an imported run came from: every run of an import is tagged with the bundle (its file
 * name or URL) and the time of the import, so a person reading a run later knows which zip
 * brought it. The tags describe the last import; run digests leave them out (run-digest.ts), so
 * importing the same bundle again still finds the runs unchanged.
 */
import { LAB_TAG } from '../tracking/tags';
import { dictSet } from '../util/dict';
import type { PreparedImport } from '../storage/prepared-import';

/** Tags the runs of `prep` in place with `source` and `when` (ISO 8601); returns `prep`. */
export function tagImportSource(prep: PreparedImport, source: string, when: Date): PreparedImport {
  const time = when.toISOString();
  for (const r of prep.runs) {
    dictSet(r.run.tags, LAB_TAG.importSource, source);
    dictSet(r.run.tags, LAB_TAG.importTime, time);
  }
  return prep;
}
