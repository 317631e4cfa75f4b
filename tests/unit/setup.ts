// Every unit test gets an IndexedDB implementation in Node.
import 'fake-indexeddb/auto';
