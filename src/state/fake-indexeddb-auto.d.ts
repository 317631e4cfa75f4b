// fake-indexeddb's side-effect entry (it installs IndexedDB globals) ships no types.
declare module 'fake-indexeddb/auto';
