import type { RaisedAlert } from '../common/alerts.ts';
import type { Snapshot } from '../common/layer-protocol.ts';

export interface Notice {
  title: string;
  body: string;
}

/**
 * Native notifications: the host's alert stream (core/alerts/alert-source.ts, carried in every
 * snapshot as `alerts.recent`), the very alerts its channels deliver, so a notification and a
 * phone never disagree. Each alert is shown once (by the host's seq); alerts raised before this
 * app started are not replayed when it attaches to a running host. Rate-limited twice, as on this
 * screen a flood is worse than a gap: one per subject per `perKeyMs`, at most `maxPerHour`.
 */
export class Notifier {
  private host: string | null = null;
  private lastSeq = 0;
  private readonly createdAt: number;
  private readonly lastByKey = new Map<string, number>();
  private sent: number[] = [];
  private readonly show: (n: Notice) => void;
  private readonly now: () => number;
  private readonly perKeyMs: number;
  private readonly maxPerHour: number;
  suppressed = 0;

  constructor(show: (n: Notice) => void, now: () => number = Date.now, opts: { perKeyMs?: number; maxPerHour?: number } = {}) {
    this.show = show;
    this.now = now;
    this.createdAt = now();
    this.perKeyMs = opts.perKeyMs ?? 5 * 60_000;
    this.maxPerHour = opts.maxPerHour ?? 12;
  }

  update(snap: Snapshot): void {
    const recent = snap.alerts?.recent ?? [];
    // Another host (a restart, or the one attached to changed): its seq starts again.
    const host = `${snap.host.pid ?? ''}@${snap.host.startedAt ?? ''}`;
    const changed = host !== this.host;
    const fresh = changed ? recent.filter((a) => Date.parse(a.at) >= this.createdAt) : recent.filter((a) => a.seq > this.lastSeq);
    if (changed) this.lastSeq = 0;
    this.host = host;
    for (const a of recent) this.lastSeq = Math.max(this.lastSeq, a.seq);
    for (const a of fresh) this.notify(a);
  }

  /** The end of what was notified is always told, whatever the per-subject limit. */
  private notify(a: RaisedAlert): void {
    const now = this.now();
    this.sent = this.sent.filter((t) => now - t < 3600_000);
    const last = this.lastByKey.get(a.subject);
    if ((!a.ending && last !== undefined && now - last < this.perKeyMs) || this.sent.length >= this.maxPerHour) {
      this.suppressed++;
      return;
    }
    this.lastByKey.set(a.subject, now);
    this.sent.push(now);
    this.show({ title: a.title, body: a.message });
  }
}
