/**
 * The few service-worker types sw.ts uses. The project's type-check runs with the DOM library,
 * which lacks them, and the WebWorker library cannot be mixed in; these are erased at build.
 */
export interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}

export interface SwFetchEvent extends ExtendableEvent {
  readonly request: Request;
  readonly clientId: string;
  respondWith(r: Response | Promise<Response>): void;
}

export interface SwMessageEvent extends ExtendableEvent {
  readonly data: unknown;
}

export interface SwClient {
  readonly id: string;
  readonly url: string;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

export interface SwWindowClient extends SwClient {
  readonly focused: boolean;
  readonly visibilityState: DocumentVisibilityState;
}

export interface SwScope {
  readonly registration: { readonly scope: string; readonly active: unknown };
  readonly clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<SwWindowClient[]>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (e: SwFetchEvent) => void): void;
  addEventListener(type: 'message', listener: (e: SwMessageEvent) => void): void;
}
