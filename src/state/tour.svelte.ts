/**
 * The guided tour of MLflow's wine tutorial: whether it is on and which step the person is at,
 * kept in localStorage so a reload (or coming back tomorrow) resumes where they were. The steps
 * themselves (what to do, which control, when it is done) are in ui/components/teach/tour-steps,
 * loaded only while the tour is on.
 */
const KEY = 'mfflow:tour';

interface Saved { step: number; startedAt: number }

function read(): Saved | null {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Saved | null;
    return v && Number.isInteger(v.step) && v.step >= 0 ? v : null;
  } catch {
    return null;
  }
}

class Tour {
  private saved = $state<Saved | null>(typeof localStorage === 'undefined' ? null : read());
  get active(): boolean { return this.saved !== null; }
  get step(): number { return this.saved?.step ?? 0; }
  /** When the tour began (ms): runs from before it do not count towards its steps. */
  get startedAt(): number { return this.saved?.startedAt ?? 0; }

  private save(v: Saved | null): void {
    this.saved = v;
    try {
      if (v) localStorage.setItem(KEY, JSON.stringify(v));
      else localStorage.removeItem(KEY);
    } catch { /* storage off: the tour lasts for this tab */ }
  }

  start(): void { this.save({ step: 0, startedAt: Date.now() }); }
  goTo(step: number): void { if (this.saved) this.save({ ...this.saved, step: Math.max(0, step) }); }
  /** Skip the tour (or close it at the end). */
  end(): void { this.save(null); }
}

export const tour = new Tour();
