import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { DeliveryTargetView } from '../../common/alerts.ts';
import type { Logger } from '../home/logger.ts';
import type { Clock } from '../scheduling/clock.ts';
import { send, type SendResult } from './alert-send.ts';
import type { Outgoing } from './alert-format.ts';

/** The body of a `/fail` ping: the end of the run's log (healthchecks.io keeps up to 100 kB). */
export const FAIL_BODY_BYTES = 10 * 1024;
/** A ping is tried this many times (2 s, 4 s, 8 s… apart), then given up and shown. */
export const PING_ATTEMPTS = 6;
/** Pings waiting per target, at most: a newer ping says more than an old one. */
const QUEUE_MAX = 20;

interface Ping {
  out: Extract<Outgoing, { kind: 'http' }>;
  /** Built when first sent: the run's log is closed (and complete) a moment after its end. */
  body?: () => string;
  what: string;
  attempts: number;
  nextAt: number;
}

/**
 * Dead man's switch pings (the healthchecks.io convention, also self-hosted Healthchecks): per
 * skill `<url>/start` when a run starts, `<url>` on success, `POST <url>/fail` with the log's
 * tail on any other final outcome; and the machine's heartbeat. A ping is fire-and-forget for
 * the run: it is retried with backoff and shown, and never changes an outcome.
 */
export class Pinger {
  private readonly o: { clock: Clock; logger: Logger };
  private readonly queues = new Map<string, Ping[]>();
  private readonly status = new Map<string, DeliveryTargetView>();
  private busy = new Set<string>();

  constructor(o: { clock: Clock; logger: Logger }) {
    this.o = o;
  }

  runStarted(skill: string, url: string): void {
    this.queue(`ping:${skill}`, { kind: 'http', method: 'GET', url: `${trim(url)}/start`, headers: {} }, 'start');
  }

  runEnded(skill: string, url: string, end: { outcome: string; error?: string; log?: string }): void {
    if (end.outcome === 'success') return this.queue(
      `ping:${skill}`, { kind: 'http', method: 'GET', url: trim(url), headers: {} }, 'success',
    );
    const body = () => failBody(end);
    this.queue(
      `ping:${skill}`,
      { kind: 'http', method: 'POST', url: `${trim(url)}/fail`, headers: { 'content-type': 'text/plain; charset=utf-8' } },
      'fail', body,
    );
  }

  /** The machine's heartbeat: not queued (the next one is its retry), but shown. */
  async heartbeat(url: string): Promise<SendResult> {
    const r = await send({ kind: 'http', method: 'GET', url: trim(url), headers: {} });
    this.record('heartbeat', 'heartbeat', r);
    if (!r.ok) this.o.logger.warn(`[pings] heartbeat not taken: ${r.answer}`);
    return r;
  }

  private queue(target: string, out: Ping['out'], what: string, body?: () => string): void {
    const q = this.queues.get(target) ?? [];
    q.push({ out, what, attempts: 0, nextAt: this.o.clock.now(), ...(body ? { body } : {}) });
    if (q.length > QUEUE_MAX) q.splice(0, q.length - QUEUE_MAX);
    this.queues.set(target, q);
    void this.pump();
  }

  /** Sends what is due, in order per target. Resolves when this round is done. */
  async pump(): Promise<void> {
    await Promise.all([...this.queues.entries()].map(async ([target, q]) => {
      if (this.busy.has(target)) return;
      this.busy.add(target);
      try {
        while (q.length > 0 && q[0]!.nextAt <= this.o.clock.now()) {
          const p = q[0]!;
          if (p.body) {
            p.out.body = p.body();
            delete p.body;
          }
          const r = await send(p.out);
          this.record(target, 'ping', r);
          if (r.ok) {
            q.shift();
            continue;
          }
          p.attempts++;
          this.o.logger.warn(`[pings] ${target} ${p.what} ping not taken (attempt ${p.attempts}): ${r.answer}`);
          if (p.attempts >= PING_ATTEMPTS) q.shift();
          else {
            p.nextAt = this.o.clock.now() + 1000 * 2 ** p.attempts;
            break;
          }
        }
      } finally {
        this.busy.delete(target);
      }
    }));
  }

  private record(name: string, type: 'ping' | 'heartbeat', r: SendResult): void {
    const at = new Date(this.o.clock.now()).toISOString();
    const prev = this.status.get(name);
    this.status.set(name, {
      name, type, pending: 0, lastDelivery: r.ok ? at : (prev?.lastDelivery ?? null),
      lastError: r.ok ? (prev?.lastError ?? null) : { at, message: r.answer },
    });
  }

  targets(): DeliveryTargetView[] {
    return [...this.status.values()].map((t) => ({ ...t, pending: this.queues.get(t.name)?.length ?? 0 }));
  }
}

function trim(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * A `/fail` ping's body: the end of the run's log, which ends with the outcome and error; when
 * the log does not say them (not kept, or not closed yet) that line is added, so the check's
 * page always says why.
 */
export function failBody(end: { outcome: string; error?: string; log?: string }): string {
  const trailer = `[clawkeeper] ${end.outcome}${end.error ? `: ${end.error}` : ''}`;
  const tail = logTail(end.log);
  const text = tail.includes(trailer) ? tail : `${tail}\n${trailer}\n`;
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= FAIL_BODY_BYTES ? text : bytes.subarray(bytes.length - FAIL_BODY_BYTES).toString('utf8');
}

/** The last 10 KB of a run's log, or a line saying there is none. */
export function logTail(file: string | undefined): string {
  if (!file) return '(no log kept for this run)';
  try {
    const size = statSync(file).size;
    const len = Math.min(size, FAIL_BODY_BYTES);
    const buf = Buffer.alloc(len);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buf, 0, len, size - len);
    } finally {
      closeSync(fd);
    }
    return buf.toString('utf8');
  } catch {
    return '(the run\'s log could not be read)';
  }
}
