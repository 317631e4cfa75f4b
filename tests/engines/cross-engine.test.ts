/**
 * The cross-engine journeys in Firefox and WebKit (Chromium walks them in
 * tests/e2e/engines.spec.ts with Playwright). ENGINES=firefox or ENGINES=webkit picks one.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { winePath } from '../data/wine';
import type { EngineName, EngineSession } from './driver';
import { launchFirefox } from './firefox';
import { JOURNEYS, loadJourneyData, walk, type JourneyData } from './journeys';
import { ARTIFACT_JOURNEYS } from './journeys-artifacts';
import { STORAGE_JOURNEYS } from './journeys-storage';
import { SCRIPT_JOURNEYS } from './journeys-scripts';
import { LabServer } from './lab-server';
import { launchWebKit } from './webkit';

const engines = (process.env.ENGINES || 'firefox,webkit').split(',').map((e) => e.trim()) as EngineName[];
const server = new LabServer(Number(process.env.ENGINES_PORT || 4327));
let data: JourneyData;

beforeAll(async () => {
  data = loadJourneyData(await winePath('winequality-red.csv'));
  await server.start();
});
afterAll(() => server.stop());

for (const engine of engines.filter((e) => e !== 'chromium')) {
  describe(engine, () => {
    let session: EngineSession;
    let close: () => Promise<void>;
    beforeAll(async () => {
      const h = engine === 'firefox' ? await launchFirefox(server.baseUrl, server.setOffline) : await launchWebKit(server.baseUrl, server.setOffline);
      session = h.session;
      close = h.close;
    }, 120_000);
    afterAll(async () => { await close?.(); });

    for (const j of [...JOURNEYS, ...ARTIFACT_JOURNEYS, ...STORAGE_JOURNEYS, ...SCRIPT_JOURNEYS]) {
      it(j.name, (ctx) => {
        // WebDriver classic (WebKit) cannot run a script before the page's own, so it cannot take a feature away.
        if (j.needsInitScripts && !session.initScripts) ctx.skip(`${engine}'s driver cannot run init scripts`);
        return walk(j, session, data);
      }, j.timeoutMs);
    }
  });
}
