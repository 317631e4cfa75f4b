/**
 * Who is using this lab: a name asked once (the welcome page, or Settings), changeable, kept in
 * localStorage (a small setting, not data) and handed to the tracking store, which writes it as
 * `mlflow.user` on every run created afterwards (UI, window.mfflow, scripts, training jobs).
 */
import { checkUserName } from '../lib/tracking/user-name';

export const USER_KEY = 'mfflow:user';
/** Set when the person chose Skip, so the prompt is not shown again. */
export const USER_ASKED_KEY = 'mfflow:user-asked';

function read(key: string): string | null {
  try { return localStorage.getItem(key); } catch { return null; }
}
function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch { /* storage off: the name lasts for this tab */ }
}

class UserSettings {
  name = $state<string | null>(typeof localStorage === 'undefined' ? null : read(USER_KEY));
  /** Whether the person already answered the first-run question (a name or Skip). */
  asked = $state(typeof localStorage === 'undefined' ? true : read(USER_KEY) !== null || read(USER_ASKED_KEY) !== null);
  private apply: ((name: string | undefined) => void) | null = null;

  constructor() {
    // A name changed in another tab of the lab applies here too.
    if (typeof window !== 'undefined') {
      window.addEventListener('storage', (e) => {
        if (e.key !== USER_KEY && e.key !== null) return;
        this.name = read(USER_KEY);
        this.asked = this.name !== null || read(USER_ASKED_KEY) !== null;
        this.apply?.(this.name ?? undefined);
      });
    }
  }

  /** Connects the store (lab.open): the current name applies now and on every change. */
  attach(apply: (name: string | undefined) => void): void {
    this.apply = apply;
    apply(this.name ?? undefined);
  }

  /** Saves a name (throws with a message naming what is wrong). */
  setName(raw: string): string {
    const name = checkUserName(raw);
    this.name = name;
    this.asked = true;
    write(USER_KEY, name);
    write(USER_ASKED_KEY, '1');
    this.apply?.(name);
    return name;
  }

  /** Forgets the name: new runs are by `browser` again. */
  clear(): void {
    this.name = null;
    write(USER_KEY, null);
    this.apply?.(undefined);
  }

  skip(): void {
    this.asked = true;
    write(USER_ASKED_KEY, '1');
  }
}

export const user = new UserSettings();
