/**
 * How much of the browser's storage the lab uses (navigator.storage.estimate) and whether it is
 * persistent. A browser may evict a site's data under storage pressure unless it is persisted,
 * so after the first run is saved the lab asks once (navigator.storage.persist(); Chromium
 * decides silently, Firefox asks the person). The answer shows in the Class page's Storage part;
 * a compact meter under the experiments list (StorageFooter) is on every page.
 */
const ASKED_KEY = 'mfflow:persist-asked';
/** Shortest time between two estimates asked for by store changes. */
const REFRESH_MS = 1000;

class StorageMeter {
  usage = $state<number | null>(null);
  quota = $state<number | null>(null);
  /** null: the browser has no StorageManager (or has not said). */
  persisted = $state<boolean | null>(null);
  supported = typeof navigator !== 'undefined' && !!navigator.storage?.estimate;

  async refresh(): Promise<void> {
    if (!this.supported) return;
    try {
      const e = await navigator.storage.estimate();
      this.usage = e.usage ?? null;
      this.quota = e.quota ?? null;
      this.persisted = navigator.storage.persisted ? await navigator.storage.persisted() : null;
    } catch { /* estimate refused (opaque origin): the meter says it does not know */ }
  }

  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastRefresh = 0;

  /**
   * refresh() at most once per REFRESH_MS (the last call wins): the always-shown meter follows
   * every store change, and a training run writes many.
   */
  refreshSoon(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastRefresh + REFRESH_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.lastRefresh = Date.now();
      void this.refresh();
    }, wait);
  }

  /** Asks for persistent storage (the person's button, or the first saved run). */
  async persist(): Promise<boolean | null> {
    if (!navigator.storage?.persist) return null;
    try { localStorage.setItem(ASKED_KEY, '1'); } catch { /* asked again next visit: harmless */ }
    try {
      this.persisted = await navigator.storage.persist();
    } catch {
      this.persisted = false;
    }
    await this.refresh();
    return this.persisted;
  }

  private askedBefore: boolean | null = null;

  /**
   * Called on store changes: the first time a finished run exists, persistence is asked for
   * (once per lab: the answer is remembered, so later changes cost one boolean test).
   */
  afterSave(hasSavedRun: () => boolean): void {
    if (!this.supported || this.askedBefore === true) return;
    if (this.askedBefore === null) {
      try { this.askedBefore = localStorage.getItem(ASKED_KEY) !== null; } catch { this.askedBefore = true; }
      if (this.askedBefore) return;
    }
    if (!hasSavedRun()) return;
    this.askedBefore = true;
    void this.persist();
  }
}

export const storageMeter = new StorageMeter();

