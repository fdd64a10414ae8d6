// A reconnecting Session Layer client, for the CLI (with `ws`) and the dashboard (the browser's
// WebSocket). It remembers the last sequence number of each session and resumes from it after a
// reconnect, so an event published while it was away is delivered once, in order.

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface SessionEventFrame {
  type: 'event';
  session: string;
  seq: number;
  ts: string;
  kind: string;
  data: unknown;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface SessionClientOptions {
  url: string;
  open: (url: string) => WebSocketLike;
  /** Sent in the first frame; omit when the upgrade carries a cookie. */
  token?: () => string | null;
  onEvent: (e: SessionEventFrame) => void;
  onState?: (state: ConnectionState, detail?: string) => void;
  firstBackoffMs?: number;
  maxBackoffMs?: number;
  /** Publishes kept while disconnected; older ones are dropped past this. */
  outboxCap?: number;
}

const OPEN = 1;

export class SessionClient {
  private readonly o: Required<Omit<SessionClientOptions, 'token' | 'onState'>> & Pick<SessionClientOptions, 'token' | 'onState'>;
  private ws: WebSocketLike | null = null;
  private readonly lastSeq = new Map<string, number>();
  private outbox: string[] = [];
  private authed = false;
  private closed = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  dropped = 0;

  constructor(opts: SessionClientOptions) {
    this.o = { firstBackoffMs: 100, maxBackoffMs: 5000, outboxCap: 1000, ...opts };
    this.connect();
  }

  subscribe(session: string, since = 0): void {
    if (!this.lastSeq.has(session)) this.lastSeq.set(session, since);
    if (this.authed) this.sendRaw({ type: 'subscribe', session, since: this.lastSeq.get(session) });
  }

  publish(session: string, data: unknown, kind = 'message'): void {
    const frame = JSON.stringify({ type: 'publish', session, kind, data });
    if (this.authed && this.ws?.readyState === OPEN) return this.ws.send(frame);
    this.outbox.push(frame);
    if (this.outbox.length > this.o.outboxCap) {
      this.outbox.shift();
      this.dropped++;
    }
  }

  seq(session: string): number {
    return this.lastSeq.get(session) ?? 0;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.ws?.close(1000, 'bye');
  }

  private sendRaw(msg: unknown): void {
    if (this.ws?.readyState === OPEN) this.ws.send(JSON.stringify(msg));
  }

  private connect(): void {
    if (this.closed) return;
    this.authed = false;
    this.o.onState?.('connecting');
    let ws: WebSocketLike;
    try {
      ws = this.o.open(this.o.url);
    } catch (err) {
      this.retry(String(err));
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      const token = this.o.token?.();
      if (token) ws.send(JSON.stringify({ type: 'auth', token }));
    };
    ws.onmessage = (ev) => this.onFrame(String(ev.data));
    ws.onerror = () => undefined;
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.authed = false;
      this.o.onState?.('closed', `${ev.code} ${ev.reason}`);
      // 4401: wrong credentials. Retrying at full speed would only feed the rate limit.
      this.retry(`${ev.code}`, ev.code === 4401 || ev.code === 4429 ? this.o.maxBackoffMs : undefined);
    };
  }

  private retry(_why: string, delay?: number): void {
    if (this.closed) return;
    const wait = delay ?? Math.min(this.o.maxBackoffMs, this.o.firstBackoffMs * 2 ** this.attempt);
    this.attempt++;
    this.timer = setTimeout(() => this.connect(), wait);
  }

  private onFrame(text: string): void {
    let msg: { type?: string; session?: string; seq?: number };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (msg.type === 'auth-ok') {
      this.authed = true;
      this.attempt = 0;
      this.o.onState?.('open');
      for (const [session, since] of this.lastSeq) this.sendRaw({ type: 'subscribe', session, since });
      const pending = this.outbox;
      this.outbox = [];
      for (const f of pending) this.ws?.send(f);
      return;
    }
    if (msg.type === 'event' && typeof msg.session === 'string' && typeof msg.seq === 'number') {
      const last = this.lastSeq.get(msg.session) ?? 0;
      if (msg.seq <= last) return; // already delivered before the reconnect
      this.lastSeq.set(msg.session, msg.seq);
      this.o.onEvent(msg as SessionEventFrame);
    }
  }
}
