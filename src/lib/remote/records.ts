/** The stored records of servers and the mirror (defined with the store: ../storage/remote-records). */
export type { MirrorRecord, MirrorStatus, OutboxEntry, StoredServer } from '../storage/remote-records';
