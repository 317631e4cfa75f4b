/**
 * Workshop links: one URL that opens the lab on a project (an example or a URL) with an
 * experiment name, prefilled `-P` values and optionally a bundle to import. Opening a link never
 * runs or imports anything by itself: the Projects page asks (README, "Projects").
 */
export interface WorkshopLink {
  project: string;
  entryPoint?: string;
  params?: Record<string, string>;
  experiment?: string;
  /** URL of an MLflow runs zip the page offers to import (`import=`). */
  importUrl?: string;
}

/** The link for `lab` (the lab page's URL, without query or hash). */
export function buildWorkshopLink(lab: string, link: WorkshopLink): string {
  const u = new URL(lab);
  u.search = '';
  u.hash = '';
  u.searchParams.set('project', link.project);
  if (link.entryPoint && link.entryPoint !== 'main') u.searchParams.set('entry', link.entryPoint);
  for (const [k, v] of Object.entries(link.params ?? {})) if (v !== '') u.searchParams.set(`P.${k}`, v);
  if (link.experiment) u.searchParams.set('experiment', link.experiment);
  if (link.importUrl) u.searchParams.set('import', link.importUrl);
  return u.href;
}

/** What a link asks for, read from a page's query string. */
export function readWorkshopLink(query: URLSearchParams): WorkshopLink | null {
  const project = query.get('project');
  if (!project) return null;
  // Names come from a link: a null-prototype map, so `P.__proto__` is a name like any other.
  const params: Record<string, string> = Object.create(null);
  for (const [k, v] of query) if (k.startsWith('P.') && k.length > 2) params[k.slice(2)] = v;
  return {
    project,
    params,
    ...(query.get('entry') ? { entryPoint: query.get('entry')! } : {}),
    ...(query.get('experiment') ? { experiment: query.get('experiment')! } : {}),
    ...(query.get('import') ? { importUrl: query.get('import')! } : {}),
  };
}

/** A project URI a link can carry: an example or an http(s) URL, not a file from this computer. */
export function linkable(uri: string): boolean {
  return /^examples\/[A-Za-z0-9_-]+\/?$/.test(uri) || /^https?:\/\//i.test(uri);
}
