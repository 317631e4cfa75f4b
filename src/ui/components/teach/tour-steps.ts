/**
 * The steps of the guided tour, after MLflow's wine tutorial: load the red wine data, train three
 * elastic nets, compare them, register the best, serve it, export the lab. Each step names the
 * page it happens on and finds the real control to point at there (or the navigation link to
 * that page); it is done when the lab's state shows the person did it (a dataset stored, three
 * finished runs, ...), or, for the export, when they press the button it points at.
 */
import type { Page } from '../../../state/route.svelte';

export interface TourContext {
  page: Page;
  /** Finished runs with an rmse started since the tour began. */
  trainedRuns: number;
  datasetNames: string[];
  comparing: number;
  registeredModels: number;
  predictions: number;
  /** Targets of this step the person pressed (the export). */
  pressed: boolean;
}

export interface TourStep {
  id: string;
  title: string;
  /** What to do, in a sentence or two. */
  text: string;
  page: Page;
  /** The control to point at, on the step's page. */
  target(): Element | null;
  done(c: TourContext): boolean;
  /** Pressing the target is the step (for a step no stored state shows). */
  pressIsDone?: boolean;
}

const q = (sel: string) => document.querySelector(sel);
const byText = (sel: string, text: string) => [...document.querySelectorAll(sel)].find((e) => e.textContent?.trim() === text) ?? null;

export const RED_WINE = 'Wine quality (red)';

export const TOUR_STEPS: readonly TourStep[] = [
  {
    id: 'load', page: 'datasets', title: 'Load the wine data',
    text: `MLflow's tutorial predicts a wine's quality from 11 measurements. On Datasets, press "${RED_WINE}" to load its 1,599 red wines (they ship with the lab, so this works offline).`,
    target: () => byText('[role="group"][aria-label="Built-in examples"] button', RED_WINE),
    done: (c) => c.datasetNames.includes(RED_WINE),
  },
  {
    id: 'train', page: 'new', title: 'Train three models',
    text: 'On New run, with the red wine as dataset and quality as target, press Train: alpha 0.5 and l1_ratio 0.5 are the tutorial\'s model. Then change alpha and l1_ratio and train twice more.',
    target: () => q('form[aria-label="New run"] button[type="submit"]'),
    done: (c) => c.trainedRuns >= 3,
  },
  {
    id: 'compare', page: 'runs', title: 'Compare them',
    text: 'In the runs table, tick the three runs, then press Compare to see their params and rmse side by side.',
    target: () => {
      const compare = byText('[role="toolbar"][aria-label="Selected runs"] button', 'Compare') as HTMLButtonElement | null;
      return compare && !compare.disabled ? compare : q('[role="grid"] thead input[type="checkbox"]') ?? compare;
    },
    done: (c) => c.page === 'compare' && c.comparing >= 2,
  },
  {
    id: 'register', page: 'runs', title: 'Register the best model',
    text: 'Sort the runs by rmse (smaller is better), open the best run, and register its model, for example as wine-quality.',
    target: () => q('form[aria-label="Register model"]') ?? q('[role="grid"] tbody tr[data-run-id] a'),
    done: (c) => c.registeredModels >= 1,
  },
  {
    id: 'serve', page: 'serve', title: 'Serve it',
    text: 'On Serve, load models:/wine-quality/1 (or your model\'s name), then press Predict: the form is filled from a real wine.',
    target: () => {
      const predict = q('form[aria-label="Prediction form"] button[type="submit"]');
      return predict ?? q('form[aria-label="Model to serve"]');
    },
    done: (c) => c.predictions >= 1,
  },
  {
    id: 'export', page: 'runs', title: 'Export your work',
    text: 'Press Export lab: the zip holds every run and model, opens in real MLflow (mlflow ui), and can be imported by your teacher.',
    target: () => byText('button', 'Export lab'),
    done: (c) => c.pressed,
    pressIsDone: true,
  },
];
