/**
 * Blobs up to this size are read in one piece (a bundle's ~20,000 small entries read as
 * separate slices cost ~0.1 ms of IPC each). Bigger ones are read in windows, never copied
 * whole, and their run metric files are shared among workers (bundles/import-lanes.ts).
 * A module of its own so the page can ask without loading the zip reader.
 */
export const WHOLE_READ_LIMIT = 64 << 20;
