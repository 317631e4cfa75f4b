/**
 * What training code needs from tracking. The fluent API (./fluent.ts) satisfies it in the
 * page and in workers, so trainers never see storage. It lives in tracking, the lower layer:
 * training depends on tracking, never the other way.
 */
export type ParamValue = string | number | boolean;

export interface RunLogger {
  logParams(params: Record<string, ParamValue>): Promise<void>;
  /** Buffered; flushed at least every 250 ms and when the run ends. */
  logMetric(key: string, value: number, step?: number, timestamp?: number): void;
  logMetrics(metrics: Record<string, number>, step?: number, timestamp?: number): void;
  setTags(tags: Record<string, string>): Promise<void>;
  logText(text: string, artifactPath: string): Promise<void>;
  logDict(value: unknown, artifactPath: string): Promise<void>;
  logArtifact(artifactPath: string, bytes: Uint8Array | ArrayBuffer, contentType?: string): Promise<void>;
  /**
   * Several files at once, where the logger can overlap their writes (a worker's port logger:
   * one round trip to the page instead of one per file): all or none where the store can, else
   * the last file after the others. Without it, files go one by one.
   */
  logArtifacts?(files: readonly LoggedFile[]): Promise<void>;
}

export interface LoggedFile {
  path: string;
  bytes: Uint8Array | ArrayBuffer;
  contentType?: string;
}
