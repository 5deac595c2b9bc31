/**
 * The renderer's only door to the engine. In Electron the preload exposes `window.aioTuner`; in browser mode we
 * speak the same wire protocol over a WebSocket. Callers cannot tell which.
 */
import {
  CONNECTION_CLOSED,
  errorReply,
  type ApiEvent,
  type ApiEvents,
  type ApiMethod,
  type ApiParamsOf,
  type ApiReply,
  type ApiResults,
  type Bridge,
  type PseudoEvent,
  type WireEvent,
  type WireResponse,
} from '../../app/shared/contract';

declare global {
  interface Window {
    aioTuner?: Bridge;
  }
}

export class ApiCallError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

function tokenFromUrl(): string {
  const params = new URLSearchParams(window.location.search);
  const t = params.get('token');
  if (t) sessionStorage.setItem('aio-tuner-token', t);
  return t ?? sessionStorage.getItem('aio-tuner-token') ?? '';
}

function webSocketBridge(): Bridge {
  const token = tokenFromUrl();
  const listeners = new Set<(event: ApiEvent | PseudoEvent, data: unknown) => void>();
  const pending = new Map<number, (r: ApiReply) => void>();
  let nextId = 1;
  let ws: WebSocket | null = null;
  let ready: Promise<WebSocket> | null = null;

  const connect = (): Promise<WebSocket> => {
    if (ready) return ready;
    ready = new Promise((resolve, reject) => {
      const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
      const sock = new WebSocket(`${proto}//${location.host}/api?token=${encodeURIComponent(token)}`);
      sock.onopen = () => {
        ws = sock;
        resolve(sock);
      };
      sock.onerror = () =>
        reject(
          new ApiCallError(
            'cannot reach the AIO Tuner server (is `aio-tuner serve` running?)',
            'disconnected',
          ),
        );
      sock.onclose = () => {
        ws = null;
        ready = null;
        for (const [, cb] of pending) cb(errorReply('connection to the server closed', 'disconnected'));
        pending.clear();
        for (const l of listeners) l(CONNECTION_CLOSED, null);
      };
      sock.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data)) as WireResponse | WireEvent;
        if (msg.type === 'res') {
          pending.get(msg.id)?.(msg);
          pending.delete(msg.id);
        } else if (msg.type === 'event') {
          for (const l of listeners) l(msg.event, msg.data);
        }
      };
    });
    return ready;
  };

  return {
    async request(method, params) {
      const sock = ws ?? (await connect());
      const id = nextId++;
      return new Promise((resolve) => {
        // The server's reply is already the envelope the Electron bridge returns (type and id ride along).
        pending.set(id, resolve);
        sock.send(JSON.stringify({ type: 'req', id, method, params }));
      });
    },
    onEvent(cb) {
      listeners.add(cb);
      void connect().catch(() => undefined);
      return () => listeners.delete(cb);
    },
  };
}

const bridge: Bridge = window.aioTuner ?? webSocketBridge();

export async function call<M extends ApiMethod>(method: M, params: ApiParamsOf<M>): Promise<ApiResults[M]> {
  const r = await bridge.request(method, params);
  if (!r.ok) throw new ApiCallError(r.error.message, r.error.code);
  return r.result as ApiResults[M];
}

export function on<E extends ApiEvent>(event: E, cb: (data: ApiEvents[E]) => void): () => void {
  return bridge.onEvent((name, data) => {
    if (name === event) cb(data as ApiEvents[E]);
  });
}

export function onDisconnect(cb: () => void): () => void {
  return bridge.onEvent((name) => {
    if (name === CONNECTION_CLOSED) cb();
  });
}

/** Browser-mode download URL for a file the server produced (bundles); Electron shows it in the folder instead. */
export function downloadUrl(path: string): string {
  return `/download?token=${encodeURIComponent(tokenFromUrl())}&path=${encodeURIComponent(path)}`;
}
