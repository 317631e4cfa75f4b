// Shared by the registry bundle tests (not a test file itself): a registry over a fillLab() lab.
import type { RegistryStore } from '../../src/lib/storage/registry-store';
import { runModelSource } from '../../src/lib/registry/model-registry';

/**
 * `wine`: versions 1 and 2 of run `modelRun`'s model, alias `champion` → 2 and `old` → 1,
 * v1 in Production, tags on the model and on v2, descriptions. `retired`: a version of the
 * other run, a deleted v2 (so the next number is 3), and a model tag key `__proto__`.
 */
export async function fillRegistry(reg: RegistryStore, modelRun: string, otherRun: string): Promise<void> {
  await reg.createRegisteredModel('wine', { description: 'red wine quality', tags: { team: 'lab', 'task': 'regression' } });
  await reg.createModelVersion('wine', { source: runModelSource(modelRun), description: 'first try' });
  await reg.createModelVersion('wine', { source: runModelSource(modelRun), tags: { validated: 'yes' } });
  await reg.setRegisteredModelAlias('wine', 'champion', 2);
  await reg.setRegisteredModelAlias('wine', 'old', 1);
  await reg.transitionModelVersionStage('wine', 1, 'Production');
  await reg.createRegisteredModel('retired', { tags: { '__proto__': 'kept' } });
  await reg.createModelVersion('retired', { source: runModelSource(otherRun, 'net') });
  await reg.createModelVersion('retired', { source: runModelSource(otherRun, 'net') });
  await reg.deleteModelVersion('retired', 2);
}
