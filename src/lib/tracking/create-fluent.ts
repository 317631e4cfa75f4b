/**
 * The one way the lab makes a Fluent: every run it starts holds its Web Lock while RUNNING
 * (so other tabs can tell a live run from an orphan) and says where it came from
 * (`mlflow.source.name` = `mfflow` in the page, `mfflow-worker` in a script's worker).
 */
import type { TrackingBackend } from './backend';
import { Fluent } from './fluent';
import { holdRunLock } from './run-lock';
import { SOURCE_NAME, TAG, type FluentSource } from './tags';

export function createFluent(
  backend: TrackingBackend,
  source: FluentSource,
  onError?: (error: unknown) => void,
  /** More default tags, e.g. the console's source record (they win over the two above). */
  sourceTags: Record<string, string> = {},
): Fluent {
  return new Fluent(backend, {
    acquireLock: (name) => holdRunLock(name),
    defaultTags: { [TAG.sourceName]: SOURCE_NAME[source], [TAG.sourceType]: 'LOCAL', ...sourceTags },
    onError,
  });
}
