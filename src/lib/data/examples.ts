/**
 * Built-in example datasets: the wine-quality files MLflow's own tests and its ElasticNet
 * tutorial use. They ship with the lab (public/examples/, precached by the service worker), so
 * the first five minutes work offline and on networks that block GitHub; the run's dataset
 * source still names MLflow's URL, and the content digest is that of the same file.
 * Data: P. Cortez et al., UCI Machine Learning Repository, 2009 (CC BY 4.0).
 */
export interface ExampleDataset {
  id: string;
  name: string;
  description: string;
  /** Where MLflow publishes the file: recorded as the dataset's source. */
  url: string;
  /** The copy shipped with the lab, relative to the page (what is actually read). */
  file: string;
  /** Column a regression or classification trains on by default. */
  defaultTarget: string;
  /** What a correct download parses to; lets the app and tests notice a changed file. */
  expectedRows: number;
  expectedColumns: number;
}

export const EXAMPLE_DATASETS: readonly ExampleDataset[] = [
  {
    id: 'wine-quality-red',
    name: 'Wine quality (red)',
    description: 'Physico-chemical tests of 1,599 red Vinho Verde wines and their quality score (3–8). Semicolon-separated.',
    url: 'https://raw.githubusercontent.com/mlflow/mlflow/master/tests/datasets/winequality-red.csv',
    file: 'examples/winequality-red.csv',
    defaultTarget: 'quality',
    expectedRows: 1599,
    expectedColumns: 12,
  },
  {
    id: 'wine-quality-white',
    name: 'Wine quality (white)',
    description:
      "Physico-chemical tests of 4,898 white Vinho Verde wines and their quality score (3–9); the file MLflow's sklearn_elasticnet_wine tutorial trains on.",
    url: 'https://raw.githubusercontent.com/mlflow/mlflow/master/examples/sklearn_elasticnet_wine/wine-quality.csv',
    file: 'examples/wine-quality.csv',
    defaultTarget: 'quality',
    expectedRows: 4898,
    expectedColumns: 12,
  },
];

export function exampleById(id: string): ExampleDataset | undefined {
  return EXAMPLE_DATASETS.find((e) => e.id === id);
}
