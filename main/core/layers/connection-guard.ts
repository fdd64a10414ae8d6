import type { Server } from 'node:http';
import type { Socket } from 'node:net';

// Who gets a socket when a local program floods a layer (issue #18: 300 dripping connections per
// address filled the gateway's 256-socket cap and refused everyone, the supervisor's probe
// included; 5,000 silent WebSockets kept real clients out). A connection is "unproven" until a
// request on it authenticated. Unproven ones are few and short-lived, and give way to newcomers;
// a proven one is never evicted, so a client that authenticated is served whatever the flood.

export interface ConnectionGuardOptions {
  /** Unproven connections still sending their request (HTTP phase): past this, the oldest idle one is closed. */
  maxUnproven: number;
  /**
   * Upgraded WebSockets waiting for their first (auth) frame: past this, the oldest one past
   * `pendingMinAgeMs` gives way, else the newcomer is refused.
   */
  maxPending: number;
  /** A pending WebSocket younger than this is never evicted: room to send its auth frame. */
  pendingMinAgeMs: number;
  /** An unproven connection must send a whole request head within this (and may idle no longer between requests). */
  headerMs: number;
  /** Proven connections kept at most (each needed a valid credential). */
  maxProven: number;
}

interface Entry {
  since: number;
  phase: 'http' | 'pending';
  busy: boolean;
  timer?: NodeJS.Timeout;
}

export const DEFAULT_GUARD: ConnectionGuardOptions = {
  maxUnproven: Number(process.env.CLAWKEEPER_MAX_UNPROVEN ?? 128),
  maxPending: Number(process.env.CLAWKEEPER_WS_MAX_PENDING ?? 64),
  pendingMinAgeMs: 1000,
  headerMs: Number(process.env.CLAWKEEPER_HEADER_MS ?? 2000),
  maxProven: 256,
};

export class ConnectionGuard {
  private readonly o: ConnectionGuardOptions;
  /** Insertion order is age order: the first entry is the oldest. */
  private readonly unproven = new Map<Socket, Entry>();
  private readonly proven = new Set<Socket>();
  /** Connections closed to make room, and refused: for the layer's health line and tests. */
  evicted = 0;

  constructor(o: Partial<ConnectionGuardOptions> = {}) {
    this.o = { ...DEFAULT_GUARD, ...o };
  }

  /** Watches every connection and request of `server` (call once per listening server). */
  attach(server: Server): void {
    server.on('connection', (s: Socket) => this.admit(s));
    // Before the server's own handler: its response may end at once, and `finish` must be heard.
    server.prependListener('request', (req, res) => {
      const e = this.unproven.get(req.socket);
      if (!e) return;
      e.busy = true;
      clearTimeout(e.timer);
      res.on('finish', () => {
        e.busy = false;
        // Still unproven after its request (a dashboard file, /health, a refusal): it may idle
        // only as long as a new connection may take to send its head.
        if (this.unproven.get(req.socket) === e) this.deadline(req.socket, e);
      });
    });
    server.on('upgrade', (req) => {
      const e = this.unproven.get(req.socket);
      if (e) clearTimeout(e.timer);
    });
  }

  /** A request on `socket` authenticated: it is never evicted from now on. */
  prove(socket: Socket): void {
    const e = this.unproven.get(socket);
    if (!e) return;
    if (this.proven.size >= this.o.maxProven) return; // stays unproven: may give way later
    clearTimeout(e.timer);
    this.unproven.delete(socket);
    this.proven.add(socket);
  }

  /**
   * An upgraded WebSocket that must still authenticate with its first frame: true when it may
   * wait (the oldest pending one past its minimum age gives way if needed), false when it must be
   * refused (every pending one is younger than that).
   */
  pend(socket: Socket): boolean {
    const e = this.unproven.get(socket);
    if (!e) return true;
    let pending = 0;
    for (const x of this.unproven.values()) if (x.phase === 'pending') pending++;
    if (pending >= this.o.maxPending) {
      const now = performance.now();
      const oldest = this.oldest((x) => x.phase === 'pending' && now - x.since >= this.o.pendingMinAgeMs);
      if (!oldest) return false;
      this.evict(oldest);
    }
    e.phase = 'pending';
    e.since = performance.now();
    return true;
  }

  /** Counts for /health and tests. */
  counts(): { unproven: number; pending: number; proven: number; evicted: number } {
    let pending = 0;
    for (const x of this.unproven.values()) if (x.phase === 'pending') pending++;
    return { unproven: this.unproven.size - pending, pending, proven: this.proven.size, evicted: this.evicted };
  }

  private admit(s: Socket): void {
    const e: Entry = { since: performance.now(), phase: 'http', busy: false };
    let http = 0;
    for (const x of this.unproven.values()) if (x.phase === 'http') http++;
    if (http >= this.o.maxUnproven) {
      const oldest = this.oldest((x) => x.phase === 'http' && !x.busy);
      if (oldest) this.evict(oldest);
    }
    this.unproven.set(s, e);
    this.deadline(s, e);
    s.once('close', () => {
      const x = this.unproven.get(s);
      if (x) clearTimeout(x.timer);
      this.unproven.delete(s);
      this.proven.delete(s);
    });
  }

  private deadline(s: Socket, e: Entry): void {
    clearTimeout(e.timer);
    e.timer = setTimeout(() => {
      // A starved process may run this timer before it read a head that already arrived: one
      // poll phase first (setImmediate runs after it), then close only if still nothing came.
      setImmediate(() => {
        if (this.unproven.get(s) === e && !e.busy && e.phase === 'http') this.evict(s);
      });
    }, this.o.headerMs);
    e.timer.unref();
  }

  private oldest(ok: (e: Entry) => boolean): Socket | undefined {
    for (const [s, e] of this.unproven) if (ok(e)) return s;
    return undefined;
  }

  private evict(s: Socket): void {
    const e = this.unproven.get(s);
    if (e) clearTimeout(e.timer);
    this.unproven.delete(s);
    this.evicted++;
    s.destroy();
  }
}
