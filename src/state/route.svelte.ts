/**
 * Hash routes, so every view is a shareable link and the static build needs no server rewrites:
 * `#/runs?exp=0&filter=...`, `#/run/<id>`, `#/compare?runs=a,b`, `#/datasets`, `#/new`, ...
 * The query part holds view state (filter, selection, chart options); pages read and write it
 * through `route.params` / `route.set`.
 */
export type Page = 'runs' | 'run' | 'compare' | 'datasets' | 'new' | 'models' | 'serve' | 'servers' | 'projects' | 'class';

const PAGES: Page[] = ['runs', 'run', 'compare', 'datasets', 'new', 'models', 'serve', 'servers', 'projects', 'class'];

/** `?project=<url>&P.alpha=0.42` (a workshop link) opens the Projects page when no page is named. */
const projectLink = () => typeof location !== 'undefined' && new URLSearchParams(location.search).has('project');

export interface RouteState {
  page: Page;
  /** Path segments after the page, e.g. the run id of `#/run/<id>`. */
  rest: string[];
  params: URLSearchParams;
}

function parse(hash: string): RouteState {
  const body = hash.replace(/^#\/?/, '');
  const [path, query = ''] = body.split('?', 2);
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  const page = (PAGES as string[]).includes(segs[0]) ? (segs[0] as Page) : !segs[0] && projectLink() ? 'projects' : 'runs';
  return { page, rest: segs.slice(1), params: new URLSearchParams(query) };
}

export function href(page: Page, rest: string[] = [], params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const qs = q.toString();
  return `#/${[page, ...rest.map(encodeURIComponent)].join('/')}${qs ? `?${qs}` : ''}`;
}

class Route {
  current = $state<RouteState>(parse(typeof location === 'undefined' ? '' : location.hash));

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('hashchange', () => (this.current = parse(location.hash)));
    }
  }

  get page(): Page {
    return this.current.page;
  }

  param(name: string): string | null {
    return this.current.params.get(name);
  }

  go(page: Page, rest: string[] = [], params: Record<string, string | undefined> = {}): void {
    location.hash = href(page, rest, params);
  }

  /** Updates query params of the current view in place (replaceState: no history entry per keystroke). */
  set(params: Record<string, string | undefined>): void {
    const merged: Record<string, string | undefined> = Object.fromEntries(this.current.params);
    Object.assign(merged, params);
    const next = href(this.current.page, this.current.rest, merged);
    history.replaceState(null, '', next);
    this.current = parse(next);
  }
}

export const route = new Route();
