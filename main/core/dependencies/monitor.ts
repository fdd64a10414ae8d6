import { EventEmitter } from 'node:events';
import type { DependencyHealth } from '../../common/health.js';
import type { Clock } from '../scheduling/clock.ts';
import { appendJsonl, readJsonl, rotateIfLarge } from '../home/jsonl.ts';
import type { Logger } from '../home/logger.ts';
import type { DependencySpec } from './config.ts';
import { probeTarget, type ProbeResult } from './probe-target.ts';
import type { DependencyTransition } from '../../common/host-events.ts';

export type { DependencyTransition } from '../../common/host-events.ts';

export function isDependencyTransition(v: unknown): v is DependencyTransition {
  const e = v as DependencyTransition;
  return typeof e === 'object' && e !== null && typeof e.dependency === 'string'
    && (e.status === 'ok' || e.status === 'down') && typeof e.at === 'string';
}

/** The probe cadence while a dependency is down (or its configured one, if shorter). */
export const DOWN_EVERY_SECONDS = 1;

export type ProbeFn = (target: string, timeoutMs: number) => Promise<ProbeResult>;

interface DepState {
  spec: DependencySpec;
  status: 'ok' | 'down';
  /** A probe has settled in this host's life (until then the status came from the log, or is assumed). */
  checked: boolean;
  /** Callbacks waiting for the current round of probes to settle (probeThen). */
  waiters: (() => void)[];
  since: string;
  reason: string;
  latencyMs: number | null;
  failures: number;
  timer: NodeJS.Timeout | undefined;
  inFlight: boolean;
  again: boolean;
}

export interface MonitorOptions {
  /** health/dependencies.jsonl */
  file: string;
  logger: Logger;
  clock: Clock;
  probe?: ProbeFn;
  /** Failed probes in a row before a dependency is down. */
  downAfter?: number;
}

/**
 * Probes what skills need, in the host (not in a layer: it must keep working while the layers are
 * down). A dependency is probed only while an enabled skill needs it, on its cadence, with
 * hysteresis (down after 2 failures in a row, the second sent at once; up after 1 success), and
 * at once on a hint (a run failing with a network-class error, a resume from sleep, the OS saying
 * it is online again). Hints never decide: only a probe does.
 */
/** health/dependencies.jsonl is rotated past this (one generation kept, .1.jsonl). */
const LOG_MAX_BYTES = 1024 * 1024;

export class DependencyMonitor extends EventEmitter<{ transition: [DependencyTransition]; checked: [string] }> {
  private readonly opts: MonitorOptions;
  private readonly log: Logger;
  private readonly probe: ProbeFn;
  private readonly states = new Map<string, DepState>();
  private neededBy = new Map<string, string[]>();
  private running = false;
  private readonly lastLogged: Map<string, DependencyTransition>;

  constructor(opts: MonitorOptions) {
    super();
    this.opts = opts;
    this.log = opts.logger.child('dependencies');
    this.probe = opts.probe ?? probeTarget;
    // After a restart a dependency starts from the last state in its log, and is probed at once.
    this.lastLogged = new Map(readJsonl(opts.file, opts.logger, isDependencyTransition).map((t) => [t.dependency, t]));
  }

  /** Which dependencies exist and which skills need them; starts and stops probing to match. */
  configure(specs: Map<string, DependencySpec>, neededBy: Map<string, string[]>): void {
    this.neededBy = neededBy;
    for (const [name, st] of this.states) {
      const spec = specs.get(name);
      if (!spec || !neededBy.has(name) || JSON.stringify(spec) !== JSON.stringify(st.spec)) {
        clearTimeout(st.timer);
        this.states.delete(name);
      }
    }
    for (const name of neededBy.keys()) {
      if (this.states.has(name)) continue;
      const spec = specs.get(name);
      if (!spec) continue;
      const last = this.lastLogged.get(name);
      const st: DepState = {
        spec,
        status: last?.status ?? 'ok',
        checked: false,
        since: last?.at ?? new Date(this.opts.clock.now()).toISOString(),
        reason: last ? last.reason : 'not probed yet',
        latencyMs: null,
        failures: last?.status === 'down' ? (this.opts.downAfter ?? 2) : 0,
        timer: undefined,
        inFlight: false,
        again: false,
        waiters: [],
      };
      this.states.set(name, st);
      if (spec.problem) this.settle(name, st, false, spec.problem, null);
      else if (this.running) this.probeNow(name);
    }
  }

  start(): void {
    this.running = true;
    for (const name of this.states.keys()) this.probeNow(name);
  }

  stop(): void {
    this.running = false;
    for (const st of this.states.values()) clearTimeout(st.timer);
  }

  isDown(name: string): boolean {
    return this.states.get(name)?.status === 'down';
  }

  /**
   * The needs of a skill that it must wait for now: down, or not yet probed by this host (after a
   * restart, slots wait for the first probe instead of starting on a state that may be stale).
   */
  downOf(needs: readonly string[]): string[] {
    return needs.filter((n) => {
      const st = this.states.get(n);
      return st !== undefined && (st.status === 'down' || (this.running && !st.checked));
    });
  }

  /** Probes `names` now; calls back once every one has settled, with those that are down then. */
  probeThen(names: readonly string[], cb: (down: string[]) => void): void {
    const pending = names.filter((n) => {
      const st = this.states.get(n);
      return st !== undefined && this.running && !st.spec.problem;
    });
    let left = pending.length;
    const done = () => cb(names.filter((n) => this.isDown(n)));
    if (left === 0) return done();
    for (const n of pending) {
      this.states.get(n)!.waiters.push(() => {
        if (--left === 0) done();
      });
      this.probeNow(n);
    }
  }

  /** Probes now (a hint); a probe already under way is followed by one more. */
  probeNow(name: string): void {
    const st = this.states.get(name);
    if (!st || !this.running || st.spec.problem) return;
    if (st.inFlight) {
      st.again = true;
      return;
    }
    clearTimeout(st.timer);
    st.inFlight = true;
    void this.probeOnce(st).then(({ ok, reason, ms }) => {
      st.inFlight = false;
      if (this.states.get(name) !== st || !this.running) return;
      const wasFailures = st.failures;
      this.settle(name, st, ok, reason, ms);
      // The second failed probe is sent at once: a partition is seen in one timeout, not one interval.
      const confirm = !ok && st.status === 'ok' && wasFailures === 0;
      if (st.again || confirm) {
        st.again = false;
        this.probeNow(name);
        return;
      }
      const waiters = st.waiters.splice(0);
      for (const w of waiters) w();
      // While it is down, probe at least every second: its return is what the waiting skills wait
      // for (a refused or timed-out probe costs next to nothing).
      const every = st.status === 'down' ? Math.min(st.spec.everySeconds, DOWN_EVERY_SECONDS) : st.spec.everySeconds;
      st.timer = setTimeout(() => this.probeNow(name), every * 1000);
      st.timer.unref?.();
    });
  }

  private async probeOnce(st: DepState): Promise<{ ok: boolean; reason: string; ms: number | null }> {
    const results = await Promise.all(st.spec.targets.map((t) => this.probe(t, st.spec.timeoutMs).then((r) => ({ t, r }))));
    const good = results.find((x) => x.r.ok);
    if (good) return { ok: true, reason: `${good.t} answered in ${good.r.ms} ms`, ms: good.r.ms };
    return { ok: false, reason: results.map((x) => `${x.t}: ${x.r.error ?? 'failed'}`).join('; '), ms: null };
  }

  private settle(name: string, st: DepState, ok: boolean, reason: string, ms: number | null): void {
    const wasChecked = st.checked;
    st.latencyMs = ms;
    if (ok) {
      st.failures = 0;
      st.checked = true;
      if (st.status !== 'ok') this.transition(name, st, 'ok', reason, ms);
      else st.reason = reason;
      // The first state is written when it is first known, not at the first outage: a reader of
      // the file alone (`status`) must never show an up dependency as "ok since 1970".
      if (!this.lastLogged.has(name)) this.logState(name, st, 'ok', reason, ms);
    } else {
      st.failures++;
      if (st.status === 'down') {
        st.reason = reason;
        st.checked = true;
      } else if (st.failures >= (this.opts.downAfter ?? 2) || st.spec.problem) {
        st.checked = true;
        this.transition(name, st, 'down', reason, ms);
      }
      // else: one failure is not a verdict; the confirming probe goes out at once.
    }
    if (!wasChecked && st.checked) this.emit('checked', name);
  }

  private transition(name: string, st: DepState, status: 'ok' | 'down', reason: string, ms: number | null): void {
    const at = new Date(this.opts.clock.now()).toISOString();
    st.status = status;
    st.since = at;
    st.reason = reason;
    const t = this.logState(name, st, status, reason, ms);
    if (status === 'down') this.log.warn(`${name} is down: ${reason}`);
    else this.log.info(`${name} is back: ${reason}`);
    this.emit('transition', t);
  }

  /** Writes a dependency's state to the log (when it differs from the last line) and remembers it. */
  private logState(name: string, st: DepState, status: 'ok' | 'down', reason: string, ms: number | null): DependencyTransition {
    const at = new Date(this.opts.clock.now()).toISOString();
    const t: DependencyTransition = { dependency: name, status, at, reason, latency_ms: ms };
    const last = this.lastLogged.get(name);
    // The log holds transitions: a restart that confirms the logged state writes nothing.
    if (!last || last.status !== status) {
      if (!last) st.since = at;
      try {
        // Bounded: past 1 MiB one generation is kept, and the new file starts with every
        // dependency's current state so a reader of it alone (status) still knows them all.
        if (rotateIfLarge(this.opts.file, LOG_MAX_BYTES)) {
          for (const [n, l] of this.lastLogged) if (n !== name) appendJsonl(this.opts.file, l);
        }
        appendJsonl(this.opts.file, t);
      } catch (err) {
        this.log.warn(`cannot write ${this.opts.file}: ${(err as Error).message}`);
      }
    }
    this.lastLogged.set(name, t);
    return t;
  }

  /** What every view shows: the dependencies some enabled skill needs; `unknown` until first probed (or logged). */
  health(): Record<string, DependencyHealth> {
    const out: Record<string, DependencyHealth> = {};
    for (const [name, st] of this.states) {
      const unknown = !st.checked && st.status === 'ok' && !this.lastLogged.has(name);
      out[name] = {
        status: unknown ? 'unknown' : st.status, since: unknown ? '' : st.since,
        reason: st.checked || st.status === 'down' ? st.reason : 'not probed yet', latencyMs: st.latencyMs,
        neededBy: this.neededBy.get(name) ?? [],
      };
    }
    return out;
  }
}
