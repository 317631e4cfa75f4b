import { afterEach, describe, expect, it } from 'vitest';
import {
  HEARTBEAT_TIMEOUT_FACTOR, holdRunLock, isLockFree, makeOwnerProbe, platformLocks, runLockName,
} from '../../src/lib/tracking/run-lock';
import { FakeLocks } from './storage-helpers';

describe('run locks', () => {
  afterEach(() => { delete (globalThis as { navigator?: unknown }).navigator; });

  it('holdRunLock holds the lock until released; isLockFree probes without waiting', async () => {
    const locks = new FakeLocks();
    const name = runLockName('abc');
    expect(name).toBe('run:abc');
    expect(await isLockFree(name, locks)).toBe(true);
    const release = await holdRunLock(name, locks);
    expect(await isLockFree(name, locks)).toBe(false);
    expect(await isLockFree('run:other', locks)).toBe(true);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(await isLockFree(name, locks)).toBe(true);
  });

  it('M2: a second holder waits for the first to release', async () => {
    const locks = new FakeLocks();
    const first = await holdRunLock('run:x', locks);
    let secondGot = false;
    const second = holdRunLock('run:x', locks).then((r) => { secondGot = true; return r; });
    await new Promise((r) => setTimeout(r, 5));
    expect(secondGot).toBe(false);
    first();
    (await second)();
    expect(secondGot).toBe(true);
  });

  it('M4: uses navigator.locks when present and degrades without it', async () => {
    expect(platformLocks()).toBeNull();
    expect(await isLockFree('run:y')).toBeNull(); // cannot tell
    const release = await holdRunLock('run:y'); // a no-op without Web Locks
    release();
    const locks = new FakeLocks();
    (globalThis as { navigator?: unknown }).navigator = { locks };
    expect(platformLocks()).toBe(locks);
    const r2 = await holdRunLock('run:y');
    expect(await isLockFree('run:y')).toBe(false);
    r2();
  });

  it('M3: owner probe with Web Locks: alive while the lock is held, even with a stale heartbeat (frozen tab)', async () => {
    const locks = new FakeLocks();
    await holdRunLock('run:a', locks);
    const probe = makeOwnerProbe({ locks, heartbeatIntervalMs: 1000, now: () => 1_000_000 });
    expect(await probe({ ownerLock: 'run:a', heartbeatAt: 0 })).toBe(true);
    locks.crashHolder('run:a');
    expect(await probe({ ownerLock: 'run:a', heartbeatAt: 999_999 })).toBe(false);
    expect(await probe({})).toBe(true); // no owner recorded: never judged dead
  });

  it('M4: owner probe without Web Locks falls back to a heartbeat timeout of 3× the interval', async () => {
    let now = 10_000;
    const probe = makeOwnerProbe({ locks: null, heartbeatIntervalMs: 1000, now: () => now });
    const run = { ownerLock: 'run:b', heartbeatAt: 10_000 };
    expect(HEARTBEAT_TIMEOUT_FACTOR).toBe(3);
    now = 10_000 + 2999;
    expect(await probe(run)).toBe(true);
    now = 10_000 + 3000;
    expect(await probe(run)).toBe(false);
    expect(await probe({ ownerLock: 'run:b' })).toBe(false); // never beat at all
  });
});
