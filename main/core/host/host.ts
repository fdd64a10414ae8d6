import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { LedgerEnd, LoadedSkill } from '../../common/types.ts';
import type { DependencyHealth } from '../../common/health.js';
import { systemClock, type Clock } from '../scheduling/clock.ts';
import type { MissedReason } from '../scheduling/reconciler.ts';
import { Trigger } from '../scheduling/trigger.ts';
import { nodeLauncher, type ProcessLauncher } from '../runs/launcher.ts';
import { Ledger } from '../runs/ledger.ts';
import { OwedRetries } from '../runs/owed-retries.ts';
import { Breakers, type BreakerView } from '../runs/breaker.ts';
import type { Logger } from '../home/logger.ts';
import { ensureHome, homePaths, type HomePaths } from '../home/paths.ts';
import { StorageMonitor, type StorageHealth } from '../health/storage-health.ts';
import { StorageBacklog } from '../health/storage-recovery.ts';
import { DependencyMonitor, type ProbeFn } from '../dependencies/monitor.ts';
import { DependencyWaits } from '../dependencies/waits.ts';
import { existsSync } from 'node:fs';
import { acquireHostLock, liveLockHolder } from './host-lock.ts';
import { readHostState } from '../home/host-state.ts';
import type { Dispatched, DispatchRequest, HostAlertsPort, HostContext, HostEvents, RunEndEvent, RunRefusal } from './host-context.ts';
import { SkillRegistry } from './skill-registry.ts';
import { Watchdog } from './watchdog.ts';
import { RunsInFlight } from './runs-in-flight.ts';
import { Dispatcher } from './dispatcher.ts';
import { Backfills } from './backfill.ts';
import { CatchUp, type Reconciled } from './catch-up.ts';

export interface HostOptions {
  home: string;
  bundledSkillsDir: string | null;
  logger: Logger;
  launcher?: ProcessLauncher;
  clock?: Clock;
  /** Watchdog period; it also detects sleep and clock changes. */
  watchdogMs?: number;
  /** A gap between wall and monotonic time larger than this is a sleep or a clock change. */
  clockJumpMs?: number;
  killGraceMs?: number;
  logCapBytes?: number;
  /** Off in tests that drive slots by hand with a fake clock. */
  useTrigger?: boolean;
  /** For CLAWKEEPER_NETWORK_PROBE; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Tests replace the dependency probe (default: a real socket probe). */
  probe?: ProbeFn;
}

export type { HostState } from '../home/host-state.ts';
export type { HostAlertsPort, HostEvents, RunEndEvent, RunRefusal } from './host-context.ts';
export { newRunId } from './runs-in-flight.ts';

/**
 * The headless host: skills, scheduler, ledger, reconciler and runs. No network listener lives
 * here; the gateway and session layers only get events from it, so nothing they do can delay a run.
 *
 * Its parts, one job each (docs/design.md walks a slot through them):
 * - SkillRegistry: the skill folders, paused skills, what the dependency monitor watches;
 * - Trigger (scheduling/): fires at each slot;
 * - Dispatcher: the gates a slot passes (ledger, paused, dependencies, breaker, budget, overlap);
 * - RunsInFlight: ledger start → process (runs/runner.ts) → ledger end → status file → events;
 * - CatchUp: interrupted runs, missed slots, slots that waited for a dependency or for disk;
 * - Watchdog: the liveness file, sleep and clock changes.
 */
export class Host extends EventEmitter<HostEvents> {
  readonly paths: HomePaths;
  readonly ledger: Ledger;
  /** Storage faults (full disk): never thrown at the scheduler, kept as state (storage-health.ts). */
  readonly storage: StorageMonitor;
  readonly dependencies: DependencyMonitor;
  readonly breakers: Breakers;
  private readonly opts: HostOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly skills: SkillRegistry;
  private readonly trigger: Trigger;
  private readonly runs: RunsInFlight;
  private readonly dispatcher: Dispatcher;
  private readonly catchUp: CatchUp;
  private readonly watchdog: Watchdog;
  private readonly waits: DependencyWaits;
  /** `clawkeeper backfill`: past slots run on request (backfill.ts). */
  readonly backfills: Backfills;
  private releaseLock: (() => void) | null = null;
  private stopping = false;
  private startedAt = 0;
  /** Set at start when the previous host did not stop cleanly (its lock was left behind). */
  uncleanStop: { pid: number | null; lastAlive: string | null } | null = null;
  /** Alerts and pings (core/alerts/), wired by app/headless.ts (app/host-alerts.ts); null in a host without them (tests, `run`). */
  alerts: HostAlertsPort | null = null;

  constructor(opts: HostOptions) {
    super();
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger.child('host');
    this.paths = homePaths(opts.home);
    this.ledger = new Ledger(this.paths.runs, opts.logger);
    this.storage = new StorageMonitor({ runsDir: this.paths.runs, logsDir: this.paths.logs, logger: opts.logger, clock: this.clock });
    this.breakers = new Breakers(this.paths.breakers, opts.logger);
    this.dependencies = new DependencyMonitor({
      file: `${this.paths.health}/dependencies.jsonl`, logger: opts.logger, clock: this.clock,
      ...(opts.probe ? { probe: opts.probe } : {}),
    });
    // Slots and retries waiting for a dependency (runs/_deferred.json).
    const waits = (this.waits = new DependencyWaits(this.paths.deferred, (err) => {
      if (!this.storage.writeFailed('runs', this.paths.deferred, err)) this.log.warn(
        `cannot write ${this.paths.deferred}: ${(err as Error).message}`,
      );
    }));
    this.skills = new SkillRegistry({
      paths: this.paths, bundledSkillsDir: opts.bundledSkillsDir, env: opts.env ?? process.env, log: this.log,
      dependencies: this.dependencies, waits,
    });
    const ctx: HostContext = {
      paths: this.paths, ledger: this.ledger, clock: this.clock, log: this.log, storage: this.storage, backlog: new StorageBacklog(),
      dependencies: this.dependencies, breakers: this.breakers, waits, skills: this.skills, events: this, stopping: () => this.stopping,
    };
    const owed = new OwedRetries(join(this.paths.runs, '_retries.json'), (err) => {
      if (!this.storage.writeFailed('runs', join(this.paths.runs, '_retries.json'), err)) this.log.warn(
        `cannot write runs/_retries.json: ${(err as Error).message}`,
      );
    });
    this.runs = new RunsInFlight(ctx, {
      launcher: opts.launcher ?? nodeLauncher, killGraceMs: opts.killGraceMs, logCapBytes: opts.logCapBytes, owed,
      retry: (req) => this.dispatch(req),
    });
    this.dispatcher = new Dispatcher(ctx, this.runs);
    this.catchUp = new CatchUp(ctx, this.dispatcher, this.runs);
    this.trigger = new Trigger((names, slot) => this.dispatcher.onTrigger(names, slot), () => this.clock.now());
    this.watchdog = new Watchdog({
      clock: this.clock, log: this.log, storage: this.storage, stateFile: this.paths.hostState,
      periodMs: opts.watchdogMs, jumpMs: opts.clockJumpMs, onJump: (awakeAt) => this.onResume(awakeAt),
    });
    this.backfills = new Backfills(this, () => this.clock.now());
    this.storage.on('runs-writable', () => this.catchUp.afterStorageBack());
    this.dependencies.on('transition', (t) => {
      if (this.stopping) return;
      // A dependency is back: the skills that waited for it catch up by their policy.
      const caughtUp = t.status === 'ok' ? this.catchUp.releaseDeferred() : 0;
      this.emit('dependency', { ...t, caughtUp });
    });
    // The first probe of a dependency in this host's life settles what start-up deferred.
    this.dependencies.on('checked', () => {
      if (!this.stopping) this.catchUp.releaseDeferred();
    });
  }

  async start(): Promise<void> {
    ensureHome(this.paths);
    // A lock left behind by a process that is gone: the previous host died (kill -9, a crash,
    // power loss) instead of stopping. A clean stop removes its lock.
    const leftBehind = existsSync(this.paths.lock) && liveLockHolder(this.paths.lock) === null;
    this.releaseLock = acquireHostLock(this.paths.lock);
    this.startedAt = this.clock.now();
    const previous = readHostState(this.paths.hostState);
    this.uncleanStop = leftBehind ? { pid: previous?.pid ?? null, lastAlive: previous?.last_alive ?? null } : null;
    this.catchUp.begin(previous, this.startedAt);
    this.ledger.load();
    this.skills.loadPaused();
    this.breakers.load();
    this.waits.load();
    this.loadSkills();
    this.catchUp.recoverInterrupted();
    // Retries a previous host owed when it died (during their backoff): as durable as a slot.
    this.runs.resumeOwed();
    // Probing starts before the reconciler looks: a skill with needs waits for their first probe.
    this.dependencies.start();
    // The trigger takes over from the very instant the reconciler looked up to: no slot falls
    // between the two, whatever start-up costs.
    const { now } = this.reconcile('start');
    this.watchdog.start(this.startedAt);
    this.watchdog.writeState();
    // Armed from the host's start, not from now: a slot due while start-up ran (a first start has
    // nothing for the reconciler to find) still fires; one the reconciler handled is in the ledger.
    if (this.opts.useTrigger !== false) this.trigger.set(this.skills.schedules(), Math.min(now, this.startedAt - 1));
    this.log.info(
      `started: ${this.validSkills().length} skills scheduled, ${this.invalidSkills().length} invalid, home ${this.paths.home}`,
    );
    await Promise.resolve();
  }

  /**
   * Stops scheduling and waits for in-flight runs (each still bounded by its own deadline).
   * `force` stops them now; they are recorded `interrupted`.
   */
  async stop(force = false): Promise<void> {
    this.stopping = true;
    this.watchdog.stop();
    this.dependencies.stop();
    this.trigger.clear();
    this.storage.stop();
    await this.runs.stop(force);
    this.watchdog.writeState();
    this.releaseLock?.();
    this.releaseLock = null;
  }

  /** Stops in-flight runs now (a second Ctrl-C). */
  interruptAll(): void {
    this.runs.interruptAll();
  }

  /** For the commands that read the home as the CLI does (host-commands.ts `status`). */
  get bundledSkillsDir(): string | null {
    return this.opts.bundledSkillsDir;
  }

  get logger(): Logger {
    return this.log;
  }

  // ---- skills ------------------------------------------------------------------------------

  loadSkills(): void {
    this.emit('skills-changed', this.skills.load());
  }

  /** Re-reads the skill folders (SIGHUP, or a change seen by the app) and re-arms the schedule. */
  reload(): void {
    // From before the load: a slot due while the skills load (a slow disk, a huge prompt file)
    // fires once the trigger is re-armed, as does one the trigger was still waiting to fire.
    const from = this.clock.now();
    this.loadSkills();
    // A skill that waited and no longer needs what is down (its needs changed) catches up now.
    if (!this.stopping && this.startedAt > 0) this.catchUp.releaseDeferred();
    // A one-shot `at` added (or moved) before this reload while the host runs: by its catchUp,
    // never lost silently (one after `from` is the trigger's, armed below).
    const missedAt = new Set(
      this.skills.valid().filter(
        (s) => s.manifest!.enabled && s.manifest!.at !== undefined && Date.parse(s.manifest!.at) <= from && !this.ledger.hasSlot(
          s.name, new Date(s.manifest!.at).toISOString(),
        ),
      ).map((s) => s.name),
    );
    if (!this.stopping && this.startedAt > 0 && missedAt.size > 0) this.catchUp.reconcile('start', undefined, missedAt);
    if (this.opts.useTrigger !== false) this.trigger.set(this.skills.schedules(), from, true);
  }

  listSkills(): LoadedSkill[] {
    return this.skills.list();
  }

  validSkills(): LoadedSkill[] {
    return this.skills.valid();
  }

  invalidSkills(): LoadedSkill[] {
    return this.skills.invalid();
  }

  isPaused(name: string): boolean {
    return this.skills.isPaused(name);
  }

  isRunning(name: string): boolean {
    return this.runs.running(name) !== undefined;
  }

  runningSince(name: string): number | undefined {
    return this.runs.running(name)?.startedAt;
  }

  runningId(name: string): string | undefined {
    return this.runs.running(name)?.runId;
  }

  /** When this host started (ms), or 0 before `start`. */
  get started(): number {
    return this.startedAt;
  }

  nextRun(name: string): number | undefined {
    return this.trigger.nextRun(name);
  }

  /** The note kept with a pause ('' for none), or null when not paused. */
  pauseNote(name: string): string | null {
    return this.skills.pauseNote(name);
  }

  pause(name: string, note = ''): boolean {
    return this.skills.setPaused(name, true, note);
  }

  resume(name: string): boolean {
    if (!this.skills.setPaused(name, false)) return false;
    this.dispatcher.closeBreaker(name, 'resumed by hand');
    return true;
  }

  // ---- dependencies and breaker -----------------------------------------------------------

  /** The needs of a skill that are down now (empty: it may run). */
  deferredOn(name: string): string[] {
    return this.skills.downNeeds(name);
  }

  /** A hint (the OS went on- or offline, a resume): probe every dependency now. */
  hintDependencies(): void {
    for (const name of Object.keys(this.dependencies.health())) this.dependencies.probeNow(name);
  }

  dependencyHealth(): Record<string, DependencyHealth> {
    return this.dependencies.health();
  }

  /** Closes a tripped breaker by hand (the dashboard's Reset breaker); true if it was not closed. */
  resetBreaker(name: string): boolean {
    const was = this.breakers.get(name).state;
    this.dispatcher.closeBreaker(name, 'reset by hand');
    return was !== 'closed';
  }

  breakerView(name: string): BreakerView | null {
    const m = this.skills.get(name)?.manifest;
    return m ? this.breakers.view(name, m.breaker) : null;
  }

  /** For the health views: ok, or which writes fail, where and since when. */
  storageHealth(): StorageHealth {
    return this.storage.health();
  }

  // ---- time --------------------------------------------------------------------------------

  /** One watchdog tick now: the liveness file, or a reconcile after a sleep or a clock change. */
  tick(): void {
    this.watchdog.tick();
  }

  /**
   * After sleep/resume (Electron powerMonitor, a clock jump, or an explicit signal). `awakeAt`
   * is the last moment the host is known to have been awake (its last watchdog tick).
   */
  onResume(awakeAt: number = this.watchdog.lastAwake): void {
    if (this.stopping) return;
    this.hintDependencies();
    const { now } = this.reconcile('asleep', awakeAt);
    if (this.opts.useTrigger !== false) this.trigger.rearm(now);
    this.watchdog.writeState();
  }

  /** Compares the slots each skill should have had with the ledger and applies `catchUp`. */
  reconcile(reason: MissedReason | 'start', awakeAt?: number, only?: Set<string>): Reconciled {
    return this.catchUp.reconcile(reason, awakeAt, only);
  }

  // ---- runs --------------------------------------------------------------------------------

  /** A slot, a catch-up, a retry or a manual run, through the dispatcher's gates. */
  dispatch(req: DispatchRequest): Dispatched {
    return this.dispatcher.dispatch(req);
  }

  /**
   * Runs a skill now, outside its schedule. Null if it is unknown or invalid; refused (not
   * started) while a need is down, unless forced. A manual run closes a tripped breaker.
   */
  runNow(name: string, opts: { force?: boolean } = {}): Dispatched | RunRefusal | null {
    return this.dispatcher.runNow(name, opts);
  }

  /** Reads the home folder for `runLocal`, without the host lock or any scheduling. */
  prepareLocal(): void {
    ensureHome(this.paths);
    this.ledger.load();
    this.loadSkills();
  }

  /**
   * Runs one skill in this process (the CLI's local path), after `prepareLocal`. The ledger and
   * status file are written as for any run.
   */
  async runLocal(name: string): Promise<LedgerEnd | null> {
    const ended = new Promise<LedgerEnd>((resolve) => {
      const on = (e: RunEndEvent) => {
        if (e.entry.skill === name) {
          this.off('run-end', on);
          resolve(e.entry);
        }
      };
      this.on('run-end', on);
    });
    const r = this.runNow(name, { force: true });
    if (!r || 'refused' in r || !r.runId) return null;
    return ended;
  }

  /** Resolves when no run is active or queued (tests and `clawkeeper run`). */
  async idle(): Promise<void> {
    await this.runs.idle();
  }
}
