// First: a browser whose language is no valid tag (WebKitGTK under LANG=C) must not break chart modules.
import './ui/locale-fix';
import { mount, tick } from 'svelte';
import App from './ui/App.svelte';
import './ui/app.css';
import { lab } from './state/lab.svelte';

// The store opens first: IndexedDB opens and reads the run index while the app mounts.
// The bench splits an open into script loading (navigation → this mark) and the store's load.
performance.mark('mfflow:main-start');
const opened = lab.open();
mount(App, { target: document.getElementById('app')! });

opened.then(async () => {
  await tick();
  // The runs list is in the DOM now: the bench reads this mark as "lab open and listed".
  performance.mark('mfflow:listed');
  // window.mfflow reaches every feature (training, bundles, serving, YAML, CSV parsing), so it
  // loads after the lab opened and stays out of the first-load JavaScript (bench: first_load_js).
  const { createScriptingApi } = await import('./state/scripting');
  Object.assign(window, { mfflow: createScriptingApi(lab.fluent, lab.store) });
  // The live mirror drains what a closed tab left in its outbox (src/state/servers.svelte.ts).
  void import('./state/servers.svelte').then((m) => m.servers.startMirror()).catch((e) => console.error('Mirror', e));
  document.documentElement.dataset.labReady = 'true';
}, (e) => console.error('MFFlow could not open', e));

declare global {
  interface Window {
    mfflow: import('./state/scripting').MfflowApi;
  }
}
