/**
 * Identifiers with MLflow's shapes, random so bundles exported from many labs can be merged
 * into one MLflow store without collisions.
 */
import { DEFAULT_EXPERIMENT_ID } from './types';

export { DEFAULT_EXPERIMENT_ID };

/** 32 lowercase hex digits, like MLflow's `uuid4().hex`. */
export function newRunId(): string {
  return crypto.randomUUID().replace(/-/g, '');
}

/**
 * An 18-digit decimal string that does not start with 0 (so it never collides with the Default
 * experiment "0" and survives a round trip through an integer-typed YAML reader unchanged).
 * 18 digits stay below 2^63, which MLflow's SQL stores need.
 */
export function newExperimentId(): string {
  const bytes = new Uint8Array(18);
  crypto.getRandomValues(bytes);
  // Rejection-free mapping: 256 mod 10 = 6 gives a tiny bias, harmless for identifiers.
  let out = String(1 + (bytes[0] % 9));
  for (let i = 1; i < 18; i++) out += String(bytes[i] % 10);
  return out;
}

export const RUN_ID_PATTERN = /^[0-9a-f]{32}$/;
export const EXPERIMENT_ID_PATTERN = /^(0|[1-9][0-9]{0,17})$/;
