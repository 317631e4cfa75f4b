/**
 * Friendly generated run names in MLflow's `adjective-noun-number` shape, from our own lists.
 */
const ADJECTIVES = [
  'amber', 'bold', 'brave', 'bright', 'calm', 'clever', 'cosmic', 'crisp', 'curious', 'dapper',
  'eager', 'fancy', 'fearless', 'gentle', 'glossy', 'golden', 'grand', 'happy', 'hidden', 'honest',
  'jolly', 'keen', 'kind', 'lively', 'lucky', 'mellow', 'merry', 'mighty', 'nimble', 'noble',
  'patient', 'plucky', 'polite', 'proud', 'quiet', 'quick', 'rapid', 'rosy', 'rustic', 'shiny',
  'silent', 'silver', 'smooth', 'snappy', 'sunny', 'swift', 'tidy', 'vivid', 'warm', 'witty',
] as const;

const ANIMALS = [
  'badger', 'bat', 'bear', 'beaver', 'bison', 'crane', 'crow', 'deer', 'dolphin', 'eagle',
  'falcon', 'ferret', 'finch', 'fox', 'gecko', 'goat', 'heron', 'horse', 'ibis', 'jaguar',
  'koala', 'lark', 'lemur', 'lion', 'lynx', 'marten', 'mole', 'moose', 'newt', 'otter',
  'owl', 'panda', 'pelican', 'puffin', 'quail', 'rabbit', 'raven', 'seal', 'shrew', 'sloth',
  'sparrow', 'stork', 'swan', 'tapir', 'tiger', 'toad', 'trout', 'vole', 'walrus', 'wolf',
] as const;

/** `random` is injectable so tests can pin the result; it must return values in [0, 1). */
export function generateRunName(random: () => number = Math.random): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  return `${pick(ADJECTIVES)}-${pick(ANIMALS)}-${Math.floor(random() * 1000)}`;
}

export const RUN_NAME_PATTERN = /^[a-z]+-[a-z]+-\d{1,3}$/;
