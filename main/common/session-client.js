// @ts-check
// A reconnecting Session Layer client, for the CLI (with `ws`) and the dashboard (the browser's
// WebSocket). It remembers the last sequence number of each session and resumes from it after a
// reconnect, so an event published while it was away is delivered once, in order.
// Plain JS with JSDoc types, so that the dashboard loads this very file in the browser.

/**
 * @typedef {{
 *   readonly readyState: number,
 *   send(data: string): void,
 *   close(code?: number, reason?: string): void,
 *   onopen: ((ev: unknown) => void) | null,
 *   onmessage: ((ev: { data: unknown }) => void) | null,
 *   onclose: ((ev: { code: number, reason: string }) => void) | null,
 *   onerror: ((ev: unknown) => void) | null,
 * }} WebSocketLike
 */
/** @typedef {{ type: 'event', session: string, seq: number, ts: string, kind: string, data: unknown }} SessionEventFrame */
/** @typedef {'connecting' | 'open' | 'closed'} ConnectionState */
/**
 * @typedef {{
 *   url: string,
 *   open: (url: string) => WebSocketLike,
 *   token?: () => string | null,
 *   session?: () => string | null,
 *   onEvent: (e: SessionEventFrame) => void,
 *   onState?: (state: ConnectionState, detail?: string) => void,
 *   firstBackoffMs?: number,
 *   maxBackoffMs?: number,
 *   outboxCap?: number,
 * }} SessionClientOptions
 * `token` (the API token) or `session` (the dashboard's browser session) is sent in the first
 * frame (omit both when the upgrade carries a header that authenticates); `outboxCap`
 * bounds the publishes kept until the server acknowledges them (older ones are dropped past it).
 */

const OPEN = 1;

export class SessionClient {
  /** @param {SessionClientOptions} opts */
  constructor(opts) {
    this.o = { firstBackoffMs: 100, maxBackoffMs: 5000, outboxCap: 1000, ...opts };
    /** @type {WebSocketLike | null} */
    this.ws = null;
    /** @type {Map<string, number>} */
    this.lastSeq = new Map();
    /**
     * Publishes not yet acknowledged by the server, oldest first: sent again after a reconnect
     * (a frame written into a connection that was already dead is otherwise lost). The server
     * drops a repeat by its id, so nothing is stored twice.
     * @type {Map<string, string>}
     */
    this.unacked = new Map();
    this.clientId = Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
    this.counter = 0;
    this.authed = false;
    this.closed = false;
    this.attempt = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    this.dropped = 0;
    this.connect();
  }

  /** @param {string} session @param {number} [since] */
  subscribe(session, since = 0) {
    if (!this.lastSeq.has(session)) this.lastSeq.set(session, since);
    if (this.authed) this.sendRaw({ type: 'subscribe', session, since: this.lastSeq.get(session) });
  }

  /** @param {string} session @param {unknown} data @param {string} [kind] */
  publish(session, data, kind = 'message') {
    const id = `${this.clientId}-${++this.counter}`;
    const frame = JSON.stringify({ type: 'publish', session, kind, data, id });
    this.unacked.set(id, frame);
    if (this.unacked.size > this.o.outboxCap) {
      const oldest = this.unacked.keys().next().value;
      if (oldest !== undefined) this.unacked.delete(oldest);
      this.dropped++;
    }
    if (this.authed && this.ws?.readyState === OPEN) this.ws.send(frame);
  }

  /** Publishes still waiting for the server's acknowledgement. */
  pending() {
    return this.unacked.size;
  }

  /** @param {string} session */
  seq(session) {
    return this.lastSeq.get(session) ?? 0;
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.ws?.close(1000, 'bye');
  }

  /** @param {unknown} msg */
  sendRaw(msg) {
    if (this.ws?.readyState === OPEN) this.ws.send(JSON.stringify(msg));
  }

  connect() {
    if (this.closed) return;
    this.authed = false;
    this.o.onState?.('connecting');
    /** @type {WebSocketLike} */
    let ws;
    try {
      ws = this.o.open(this.o.url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      const token = this.o.token?.();
      const session = this.o.session?.();
      if (token || session) ws.send(JSON.stringify({ type: 'auth', ...(token ? { token } : {}), ...(session ? { session } : {}) }));
    };
    ws.onmessage = (ev) => this.onFrame(String(ev.data));
    ws.onerror = () => undefined;
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.authed = false;
      this.o.onState?.('closed', `${ev.code} ${ev.reason}`);
      // 4401/4429: wrong credentials. Retrying at full speed would only feed the rate limit.
      this.retry(ev.code === 4401 || ev.code === 4429 ? this.o.maxBackoffMs : undefined);
    };
  }

  /** @param {number} [delay] */
  retry(delay) {
    if (this.closed) return;
    const wait = delay ?? Math.min(this.o.maxBackoffMs, this.o.firstBackoffMs * 2 ** this.attempt);
    this.attempt++;
    this.timer = setTimeout(() => this.connect(), wait);
  }

  /** @param {string} text */
  onFrame(text) {
    /** @type {{ type?: string, session?: string, seq?: number }} */
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (msg.type === 'auth-ok') {
      this.authed = true;
      this.attempt = 0;
      this.o.onState?.('open');
      for (const [session, since] of this.lastSeq) this.sendRaw({ type: 'subscribe', session, since });
      for (const f of this.unacked.values()) this.ws?.send(f);
      return;
    }
    if (msg.type === 'ack' && typeof (/** @type {any} */ (msg).id) === 'string') {
      this.unacked.delete(/** @type {any} */ (msg).id);
      return;
    }
    if (msg.type === 'subscribed' && typeof msg.session === 'string' && typeof msg.seq === 'number') {
      // "since" past the end (from now on): start counting at the server's last event
      if ((this.lastSeq.get(msg.session) ?? 0) > msg.seq) this.lastSeq.set(msg.session, msg.seq);
      return;
    }
    if (msg.type === 'event' && typeof msg.session === 'string' && typeof msg.seq === 'number') {
      const last = this.lastSeq.get(msg.session) ?? 0;
      if (msg.seq <= last) return; // already delivered before the reconnect
      this.lastSeq.set(msg.session, msg.seq);
      this.o.onEvent(/** @type {SessionEventFrame} */ (msg));
    }
  }
}
