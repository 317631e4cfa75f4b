/**
 * The fluent tracking API inside a worker. The page owns the only IndexedDB connection and
 * serves its TrackingBackend on a MessagePort; this wraps that port with comlink, so scripts in
 * a worker call exactly the same `mfflow` methods as the page.
 */
import * as Comlink from 'comlink';
import type { TrackingBackend } from '../src/lib/tracking/backend';
import { createFluent } from '../src/lib/tracking/create-fluent';
import type { Fluent } from '../src/lib/tracking/fluent';

export function fluentFromPort(port: MessagePort): Fluent {
  const backend = Comlink.wrap<TrackingBackend>(port) as unknown as TrackingBackend;
  return createFluent(backend, 'worker');
}
