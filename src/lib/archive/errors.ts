/** Why an untrusted archive was refused: the entry (if one is to blame) and the rule it broke. */
export class ArchiveError extends Error {
  constructor(readonly entry: string | null, readonly rule: string, message: string) {
    super(entry === null ? message : `${entry}: ${message}`);
    this.name = 'ArchiveError';
  }
}
