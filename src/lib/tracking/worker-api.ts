/** The comlink interface of workers/script-worker.ts. */
export interface ScriptWorkerApi {
  /** Hands the worker a port on which the page serves its TrackingBackend. */
  connectTracking(port: MessagePort): void;
  /** Runs `source` as the body of an async function with `mfflow` in scope; resolves to its result. */
  run(source: string, memoryLimitMB: number): Promise<unknown>;
}
