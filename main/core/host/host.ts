import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerEnd, LedgerSkip, LoadedSkill, RunTrigger, SkipReason } from '../../common/types.ts';
import { systemClock, type Clock } from '../scheduling/clock.ts';
import { nextSlot, slotsBetween } from '../scheduling/cron.ts';
import { acquireHostLock } from './host-lock.ts';
import { nodeLauncher, type ProcessLauncher } from '../runs/launcher.ts';
import { Ledger } from '../runs/ledger.ts';
import { dayBudgetReached, dayTokensLeft, recordAgentEnd } from '../models/day-budget.ts';
import type { Logger } from '../home/logger.ts';
import { ensureHome, homePaths, type HomePaths } from '../home/paths.ts';
import { readPaused, writePaused } from '../skills/paused.ts';
import { retryDelaySeconds } from '../scheduling/retry-delay.ts';
import { planCatchUp, type MissedReason } from '../scheduling/reconciler.ts';
import { startRun, type RunHandle, type RunResult } from '../runs/runner.ts';
import { discoverSkills, formatProblems } from '../skills/skill-loader.ts';
import { writeStatusFile } from '../runs/status-file.ts';
import { StorageMonitor, type StorageHealth } from '../health/storage-health.ts';
import { StorageBacklog } from '../health/storage-recovery.ts';
import { Trigger } from '../scheduling/trigger.ts';
import { Breakers, type BreakerView } from '../runs/breaker.ts';
import { readDependencySpecs, type DependencySpec } from '../dependencies/config.ts';
import { DependencyMonitor, type DependencyTransition, type ProbeFn } from '../dependencies/monitor.ts';
import { NETWORK_ERROR_CODES } from '../dependencies/probe-target.ts';
import { DependencyWaits } from '../dependencies/waits.ts';
import { readHostState, writeHostState, type HostState } from './host-state.ts';
import type { DependencyHealth } from '../../common/health.js';

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

export type { HostState } from './host-state.ts';

interface Pending {
  slot: string | null;
  trigger: RunTrigger;
  attempt: number;
  probe?: boolean;
}

/** A manual run refused (a dependency is down and the run was not forced). */
export interface RunRefusal {
  refused: { code: 'dependency-down'; message: string };
}

export interface RunEndEvent {
  entry: LedgerEnd;
  fields: Record<string, string>;
}

export type HostEvents = {
  'run-start': [{ skill: string; runId: string; slot: string | null; trigger: RunTrigger; attempt: number; startedAt: string }];
  'run-end': [RunEndEvent];
  skip: [LedgerSkip];
  'skills-changed': [LoadedSkill[]];
  reconciled: [{ reason: MissedReason; ran: number; skipped: number }];
  dependency: [DependencyTransition & { caughtUp?: number }];
  breaker: [{ skill: string; state: string; until: string | null }];
};

const QUEUE_CAP = 100;
/** Missed slots recorded one entry each; past this, one entry stands for the rest. */
const SKIP_ENTRIES_CAP = 200;

export function newRunId(now: number): string {
  return `${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * The headless host: skills, scheduler, ledger, reconciler and runs. No network listener lives
 * here; the gateway and session layers only get events from it, so nothing they do can delay a run.
 */
export class Host extends EventEmitter<HostEvents> {
  readonly paths: HomePaths;
  readonly ledger: Ledger;
  private readonly opts: HostOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly launcher: ProcessLauncher;
  private readonly trigger: Trigger;
  private skills = new Map<string, LoadedSkill>();
  private readonly active = new Map<string, RunHandle>();
  private readonly queues = new Map<string, Pending[]>();
  private readonly paused = new Set<string>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private watchdog: NodeJS.Timeout | undefined;
  /** Storage faults (full disk): never thrown at the scheduler, kept as state (storage-health.ts). */
  readonly storage: StorageMonitor;
  private readonly backlog = new StorageBacklog();
  private lastWall = 0;
  private lastMono = 0;
  private ticks = 0;
  private releaseLock: (() => void) | null = null;
  private stopping = false;
  private startedAt = 0;
  private previousState: HostState | null = null;
  readonly dependencies: DependencyMonitor;
  readonly breakers: Breakers;
  private depSpecs = new Map<string, DependencySpec>();
  /** Slots and retries waiting for a dependency (dependencies/waits.ts). */
  private readonly waits: DependencyWaits;
  /** Run ids of breaker probes running now. */
  private readonly probeRuns = new Set<string>();
  /** Skills with a breaker probe's retry timer pending. */
  private readonly probeRetries = new Set<string>();

  constructor(opts: HostOptions) {
    super();
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger.child('host');
    this.launcher = opts.launcher ?? nodeLauncher;
    this.paths = homePaths(opts.home);
    this.ledger = new Ledger(this.paths.runs, opts.logger);
    this.storage = new StorageMonitor({ runsDir: this.paths.runs, logsDir: this.paths.logs, logger: opts.logger, clock: this.clock });
    this.storage.on('runs-writable', () => this.afterStorageBack());
    this.trigger = new Trigger((names, slot) => this.onTrigger(names, slot), () => this.clock.now());
    this.breakers = new Breakers(this.paths.breakers, opts.logger);
    this.dependencies = new DependencyMonitor({ file: `${this.paths.health}/dependencies.jsonl`, logger: opts.logger, clock: this.clock, ...(opts.probe ? { probe: opts.probe } : {}) });
    this.waits = new DependencyWaits(this.paths.deferred, (err) => {
      if (!this.storage.writeFailed('runs', this.paths.deferred, err)) this.log.warn(`cannot write ${this.paths.deferred}: ${(err as Error).message}`);
    });
    this.dependencies.on('transition', (t) => this.onDependency(t));
    // The first probe of a dependency in this host's life settles what start-up deferred.
    this.dependencies.on('checked', () => {
      if (!this.stopping) this.releaseDeferred();
    });
  }

  async start(): Promise<void> {
    ensureHome(this.paths);
    this.releaseLock = acquireHostLock(this.paths.lock);
    this.startedAt = this.clock.now();
    this.previousState = readHostState(this.paths.hostState);
    this.ledger.load();
    for (const n of readPaused(this.paths)) this.paused.add(n);
    this.breakers.load();
    this.waits.load();
    this.loadSkills();
    this.recoverInterrupted();
    // Probing starts before the reconciler looks: a skill with needs waits for their first probe.
    this.dependencies.start();
    // The trigger takes over from the very instant the reconciler looked up to: no slot falls
    // between the two, whatever start-up costs.
    const { now } = this.reconcile('start');
    this.writeHostState();
    if (this.opts.useTrigger !== false) this.armTrigger(now);
    this.lastWall = this.clock.now();
    this.lastMono = this.clock.monotonic();
    this.watchdog = setInterval(() => this.tick(), this.opts.watchdogMs ?? 1000);
    this.log.info(`started: ${this.validSkills().length} skills scheduled, ${this.invalidSkills().length} invalid, home ${this.paths.home}`);
    await Promise.resolve();
  }

  /**
   * Stops scheduling and waits for in-flight runs (each still bounded by its own deadline).
   * `force` stops them now; they are recorded `interrupted`.
   */
  async stop(force = false): Promise<void> {
    this.stopping = true;
    clearInterval(this.watchdog);
    this.dependencies.stop();
    this.trigger.clear();
    this.storage.stop();
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    // Queued slots are left unrecorded: the next start sees them as missed and applies catchUp.
    this.queues.clear();
    if (force) for (const run of this.active.values()) run.stop('shutdown');
    await Promise.all([...this.active.values()].map((r) => r.done));
    // let the 'done' handlers write their ledger entries
    await new Promise((r) => setImmediate(r));
    this.writeHostState();
    this.releaseLock?.();
    this.releaseLock = null;
  }

  /** Stops in-flight runs now (a second Ctrl-C). */
  interruptAll(): void {
    for (const run of this.active.values()) run.stop('shutdown');
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
    const found = discoverSkills(this.opts.bundledSkillsDir, this.paths.skills);
    this.depSpecs = readDependencySpecs(this.paths, this.opts.env ?? process.env, (m) => this.log.warn(m));
    for (const s of found) {
      // A need nobody defined is a problem of that skill (file and field), never a crash.
      const unknown = s.manifest?.needs.filter((n) => !this.depSpecs.has(n)) ?? [];
      if (unknown.length > 0) {
        s.problems.push(...unknown.map((n) => ({ file: s.file, field: 'needs', message: `unknown dependency "${n}": define it in ${this.paths.config} under "dependencies" (network is built in)` })));
        s.manifest = null;
      }
    }
    this.skills = new Map(found.map((s) => [s.name, s]));
    const neededBy = new Map<string, string[]>();
    for (const s of found) {
      if (!s.manifest?.enabled) continue;
      for (const n of s.manifest.needs) neededBy.set(n, [...(neededBy.get(n) ?? []), s.name]);
    }
    this.dependencies.configure(this.depSpecs, neededBy);
    this.waits.keepOnly((name) => this.skills.get(name)?.manifest != null);
    for (const s of found) {
      if (!s.manifest) this.log.warn(`skill "${s.name}" is invalid and will not run:\n${formatProblems(s)}`);
    }
    this.emit('skills-changed', found);
  }

  /** Re-reads the skill folders (SIGHUP, or a change seen by the app) and re-arms the schedule. */
  reload(): void {
    this.loadSkills();
    // A skill that waited and no longer needs what is down (its needs changed) catches up now.
    if (!this.stopping && this.startedAt > 0) this.releaseDeferred();
    if (this.opts.useTrigger !== false) this.armTrigger(this.clock.now());
  }

  listSkills(): LoadedSkill[] {
    return [...this.skills.values()];
  }

  validSkills(): LoadedSkill[] {
    return this.listSkills().filter((s) => s.manifest !== null);
  }

  invalidSkills(): LoadedSkill[] {
    return this.listSkills().filter((s) => s.manifest === null);
  }

  isPaused(name: string): boolean {
    return this.paused.has(name);
  }

  isRunning(name: string): boolean {
    return this.active.has(name);
  }

  runningSince(name: string): number | undefined {
    return this.active.get(name)?.startedAt;
  }

  runningId(name: string): string | undefined {
    return this.active.get(name)?.runId;
  }

  nextRun(name: string): number | undefined {
    return this.trigger.nextRun(name);
  }

  pause(name: string): boolean {
    if (!this.skills.has(name)) return false;
    this.paused.add(name);
    writePaused(this.paths, this.paused);
    return true;
  }

  resume(name: string): boolean {
    if (!this.skills.has(name)) return false;
    this.paused.delete(name);
    writePaused(this.paths, this.paused);
    this.closeBreaker(name, 'resumed by hand');
    return true;
  }

  // ---- dependencies and breaker -----------------------------------------------------------

  /** The needs of a skill that are down now (empty: it may run). */
  deferredOn(name: string): string[] {
    const m = this.skills.get(name)?.manifest;
    return m ? this.dependencies.downOf(m.needs) : [];
  }

  /** A hint (the OS went on- or offline, a resume): probe every dependency now. */
  hintDependencies(): void {
    for (const name of Object.keys(this.dependencies.health())) this.dependencies.probeNow(name);
  }

  dependencyHealth(): Record<string, DependencyHealth> {
    return this.dependencies.health();
  }

  breakerView(name: string): BreakerView | null {
    const m = this.skills.get(name)?.manifest;
    return m ? this.breakers.view(name, m.breaker) : null;
  }

  private closeBreaker(name: string, why: string): void {
    if (this.breakers.close(name)) {
      this.log.info(`breaker of "${name}" closed: ${why}`);
      this.emit('breaker', { skill: name, state: 'closed', until: null });
    }
  }

  /** A dependency changed: when it is back, the skills that waited for it catch up by their policy. */
  private onDependency(t: DependencyTransition): void {
    if (this.stopping) return;
    let caughtUp = 0;
    if (t.status === 'ok') caughtUp = this.releaseDeferred();
    this.emit('dependency', { ...t, caughtUp });
  }

  /** Skills that waited and need nothing down any more: their retries, then their slots by catchUp. */
  private releaseDeferred(): number {
    const ready = this.waits.skills().filter((n) => this.deferredOn(n).length === 0);
    for (const name of ready) for (const r of this.waits.takeRetries(name)) if (r.slot) this.dispatch(name, r.slot, 'retry', r.attempt, true, r.probe === true);
    return ready.length > 0 ? this.reconcile('dependency', undefined, new Set(ready)).ran : 0;
  }

  private armTrigger(from: number): void {
    this.trigger.set(
      this.validSkills()
        .filter((s) => s.manifest!.enabled)
        .map((s) => ({ name: s.name, schedule: s.manifest!.schedule, timezone: s.manifest!.timezone })),
      from,
    );
  }

  // ---- time --------------------------------------------------------------------------------

  /** The watchdog: keeps the host-state file fresh and notices sleep or a changed clock. */
  tick(): void {
    const wall = this.clock.now();
    const mono = this.clock.monotonic();
    const drift = wall - this.lastWall - (mono - this.lastMono);
    const awake = this.lastWall;
    this.lastWall = wall;
    this.lastMono = mono;
    if (Math.abs(drift) > (this.opts.clockJumpMs ?? 5000)) {
      this.log.info(`wall clock moved ${Math.round(drift / 1000)} s against the monotonic clock (sleep or clock change): reconciling`);
      this.onResume(awake);
      return;
    }
    // Liveness: every view calls the runtime "not responding" when this is older than 5 s.
    this.ticks++;
    this.writeHostState();
  }

  /**
   * After sleep/resume (Electron powerMonitor, a clock jump, or an explicit signal). `awakeAt`
   * is the last moment the host is known to have been awake (its last watchdog tick).
   */
  onResume(awakeAt: number = this.lastWall): void {
    if (this.stopping) return;
    this.hintDependencies();
    const { now } = this.reconcile('asleep', awakeAt);
    if (this.opts.useTrigger !== false) this.trigger.rearm(now);
    this.writeHostState();
  }

  private writeHostState(): void {
    try {
      writeHostState(this.paths.hostState, { pid: process.pid, started_at: new Date(this.startedAt).toISOString(), last_alive: new Date(this.clock.now()).toISOString() });
    } catch (err) {
      if (!this.storage.writeFailed('runs', this.paths.hostState, err)) this.log.warn(`cannot write ${this.paths.hostState}: ${(err as Error).message}`);
    }
  }

  // ---- reconciler --------------------------------------------------------------------------

  /** Runs cut off by a dead host: recorded `interrupted`, then retried if the skill allows it. */
  private recoverInterrupted(): void {
    for (const open of this.ledger.openRuns()) {
      const now = this.clock.now();
      const entry: LedgerEnd = {
        type: 'end',
        run_id: open.run_id,
        skill: open.skill,
        slot: open.slot,
        trigger: open.trigger,
        attempt: open.attempt,
        started_at: open.started_at,
        ended_at: new Date(now).toISOString(),
        duration_ms: Math.max(0, now - Date.parse(open.started_at)),
        outcome: 'interrupted',
        exit_code: null,
        signal: null,
        error: `the host (pid ${open.host_pid}) stopped during this run; found on the next start`,
      };
      // What the run printed before the host died (the runner's logs/<skill>/<run_id>.log), so
      // `clawkeeper logs` shows it.
      const log = join(this.paths.logs, open.skill, `${open.run_id}.log`);
      if (existsSync(log)) entry.log = log;
      this.ledger.recordEnd(entry);
      writeStatusFile(this.paths.status, open.skill, { status: 'interrupted', timestamp: entry.ended_at, duration_ms: entry.duration_ms, run_id: open.run_id }, {});
      this.log.warn(`run ${open.run_id} of "${open.skill}" was cut off by the previous host: recorded interrupted`);
      this.emit('run-end', { entry, fields: {} });
      const skill = this.skills.get(open.skill);
      if (skill?.manifest && open.slot && open.attempt <= skill.manifest.retries.max) {
        this.scheduleRetry(open.skill, open.slot, open.attempt + 1, retryDelaySeconds(skill.manifest.retries.backoffSeconds, open.attempt));
      }
    }
  }

  /** Compares the slots each skill should have had with the ledger and applies `catchUp`. */
  reconcile(reason: MissedReason | 'start', awakeAt?: number, only?: Set<string>): { ran: number; skipped: number; now: number } {
    const now = this.clock.now();
    const lastAlive = this.previousState ? Date.parse(this.previousState.last_alive) : null;
    let ran = 0;
    let skipped = 0;
    for (const skill of this.validSkills()) {
      const m = skill.manifest!;
      if (!m.enabled || (only && !only.has(skill.name))) continue;
      const waitingFor = this.dependencies.downOf(m.needs);
      const deferredSince = this.waits.of(skill.name)?.since;
      const waited = this.waits.of(skill.name)?.deps;
      if (waitingFor.length > 0) {
        // Nothing final is written while a need is down: the slots wait for it to come back.
        const from = this.ledger.lastSlot(skill.name) ?? (reason === 'start' ? lastAlive : awakeAt) ?? now;
        const next = nextSlot(m.schedule, m.timezone, from);
        if (next !== null && next <= now) this.waits.defer(skill.name, next, waitingFor);
        continue;
      }
      // Its wait (if any, also one saved by a previous host) is over: its slots are handled now.
      this.waits.release([skill.name]);
      // From the skill's last slot; with none, from when the host was last known awake (the
      // previous host's last tick, or this one's before the sleep). With no history at all (a
      // first start) nothing was missed: nothing was due yet.
      // After a wait for a dependency, from the first slot that waited: slots recorded meanwhile
      // (paused, say) are filtered out by the ledger below, none is lost.
      const fromLedger = this.ledger.lastSlot(skill.name) ?? (reason === 'start' ? lastAlive : awakeAt) ?? now;
      const since = deferredSince !== undefined ? Math.min(deferredSince - 1, fromLedger) : fromLedger;
      if (since >= now) continue;
      const { slots, total, first } = slotsBetween(m.schedule, m.timezone, since, now, Math.max(SKIP_ENTRIES_CAP, m.catchUp.max));
      const missed = slots.filter((t) => !this.ledger.hasSlot(skill.name, new Date(t).toISOString()) && !this.isQueued(skill.name, t));
      if (missed.length === 0) continue;
      const why: MissedReason = reason === 'start' ? 'down' : reason;
      const needy = m.needs.length > 0;
      const detailOf = (d: string) => (why === 'dependency' ? `${d}; it waited for ${waited?.join(', ') ?? 'a dependency'}` : d);
      const plan = planCatchUp(missed, m.catchUp, this.paused.has(skill.name));
      const omitted = total - slots.length;
      if (omitted > 0 && first !== null) {
        // A long outage of a frequent skill: one entry stands for the slots not listed one by one.
        this.skip(skill.name, first, skipReason(why, lastAlive, first, needy, this.startedAt), detailOf(`catchUp=${m.catchUp.mode}: ${omitted} older slots not listed one by one`), omitted, slots[0]! - 1);
        skipped += omitted;
      }
      for (const s of plan.skip) {
        this.skip(skill.name, s.slot, s.paused ? 'paused' : skipReason(why, lastAlive, s.slot, needy, this.startedAt), detailOf(s.detail));
        skipped++;
      }
      for (const t of plan.run) {
        this.dispatch(skill.name, new Date(t).toISOString(), 'catch-up', 1, true);
        ran++;
      }
    }
    if (ran + skipped > 0) this.log.info(`reconciled (${reason}): ${ran} catch-up runs, ${skipped} slots recorded as missed`);
    if (only) this.waits.release(only);
    this.emit('reconciled', { reason: reason === 'start' ? 'down' : reason, ran, skipped });
    return { ran, skipped, now };
  }

  private isQueued(name: string, t: number): boolean {
    const iso = new Date(t).toISOString();
    return (this.queues.get(name) ?? []).some((p) => p.slot === iso);
  }

  private skip(skill: string, slot: number | string, reason: SkipReason, detail?: string, count?: number, lastSlot?: number): void {
    const entry: LedgerSkip = {
      type: 'skip',
      skill,
      slot: typeof slot === 'number' ? new Date(slot).toISOString() : slot,
      reason,
      at: new Date(this.clock.now()).toISOString(),
    };
    if (detail) entry.detail = detail;
    if (count !== undefined) entry.count = count;
    if (lastSlot !== undefined) entry.last_slot = new Date(lastSlot).toISOString();
    try {
      this.ledger.recordSkip(entry);
    } catch (err) {
      if (!this.storage.writeFailed('runs', this.ledger.fileFor(skill), err)) throw err;
      this.backlog.keepEntry(this.ledger, entry);
    }
    this.emit('skip', entry);
  }

  // ---- dispatch ----------------------------------------------------------------------------

  private onTrigger(names: string[], slot: number): void {
    const iso = new Date(slot).toISOString();
    for (const name of names) {
      // Last resort: nothing a dispatch throws may reach node-schedule's job (it would kill the host).
      try {
        this.dispatch(name, iso, 'schedule', 1, false);
      } catch (err) {
        this.log.error(`could not dispatch "${name}" for ${iso}: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Runs a skill now, outside its schedule. Null if it is unknown or invalid; refused (not
   * started) while a need is down, unless forced. A manual run closes a tripped breaker.
   */
  runNow(name: string, opts: { force?: boolean } = {}): { runId: string | null; queued: boolean } | RunRefusal | null {
    const skill = this.skills.get(name);
    if (!skill?.manifest) return null;
    const down = this.deferredOn(name);
    if (down.length > 0 && !opts.force) {
      return { refused: { code: 'dependency-down', message: `${name} needs ${down.join(', ')}, which ${down.length === 1 ? 'is' : 'are'} down; run it anyway with --force (API: {"force": true})` } };
    }
    this.closeBreaker(name, 'run by hand');
    return this.dispatch(name, null, 'manual', 1, true);
  }

  /**
   * The one way a run begins. A scheduled slot already in the ledger is never started again;
   * `queueAnyway` makes catch-up and manual runs wait for a running one instead of being skipped.
   * A slot whose skill needs something that is down waits (nothing written); a tripped skill's
   * slot is skipped `breaker-open`, or runs as the breaker's probe once the cool-down is over.
   */
  dispatch(name: string, slot: string | null, trigger: RunTrigger, attempt: number, queueAnyway: boolean, probe = false): { runId: string | null; queued: boolean } {
    const skill = this.skills.get(name);
    const m = skill?.manifest;
    const none = { runId: null, queued: false };
    if (!skill || !m || this.stopping) return none;
    if (slot !== null && trigger !== 'retry' && (this.ledger.hasSlot(name, slot) || this.isQueued(name, Date.parse(slot)))) return none;
    if (slot !== null && trigger !== 'manual' && this.paused.has(name)) {
      if (trigger !== 'retry') this.skip(name, slot, 'paused', 'the skill is paused');
      return none;
    }
    if (slot !== null && trigger !== 'manual') {
      const down = this.deferredOn(name);
      if (down.length > 0) {
        if (trigger === 'retry') {
          // The run that first met the outage: its retry waits for the dependency too.
          this.waits.addRetry(name, { slot, trigger, attempt, ...(probe ? { probe } : {}) });
          this.waits.defer(name, Date.parse(slot), down);
        } else this.waits.defer(name, Date.parse(slot), down);
        return none;
      }
      if (trigger !== 'retry') {
        const admit = this.breakers.admit(name, m.breaker, this.clock.now(), this.probeUnderWay(name));
        if (admit.kind === 'skip') {
          this.skip(name, slot, 'breaker-open', admit.detail);
          return none;
        }
        probe = admit.kind === 'probe';
      }
    }
    // Day token budget (budget.tokensPerDay) reached: the slot is skipped with reason `budget`.
    const overBudget = slot !== null && trigger !== 'manual' ? dayBudgetReached(this.paths, m, this.clock.now()) : null;
    if (overBudget !== null && slot !== null) {
      if (trigger !== 'retry') this.skip(name, slot, 'budget', overBudget);
      return { runId: null, queued: false };
    }
    const running = this.active.get(name);
    if (running) {
      const policy = queueAnyway || trigger === 'retry' ? 'queue' : m.overlap;
      if (policy === 'skip') {
        if (slot) this.skip(name, slot, 'skipped-overlap', `run ${running.runId} was still running (overlap=skip)`);
        return none;
      }
      const q = this.queues.get(name) ?? [];
      if (q.length >= QUEUE_CAP) {
        if (slot) this.skip(name, slot, 'queue-full', `${QUEUE_CAP} runs already waiting`);
        return none;
      }
      const pending: Pending = { slot, trigger, attempt, ...(probe ? { probe } : {}) };
      if (policy === 'replace') {
        q.unshift(pending);
        running.stop('replaced');
      } else {
        q.push(pending);
      }
      this.queues.set(name, q);
      return { runId: null, queued: true };
    }
    return { runId: this.launch(skill, { slot, trigger, attempt, probe }), queued: false };
  }

  private launch(skill: LoadedSkill, p: Pending): string | null {
    const m = skill.manifest!;
    const { slot, trigger, attempt } = p;
    const now = this.clock.now();
    const runId = newRunId(now);
    const startedAt = new Date(now).toISOString();
    // Written before the process exists: a host killed from here on leaves a start without an
    // end, which the next host records as interrupted. The slot is taken either way.
    // A start that cannot be written is not started (exactly once needs it); the slot is kept
    // for when storage is back.
    try {
      this.ledger.recordStart({ type: 'start', run_id: runId, skill: skill.name, slot, trigger, attempt, started_at: startedAt, host_pid: process.pid, ...(p.probe ? { breaker_probe: true } : {}) });
    } catch (err) {
      if (!this.storage.writeFailed('runs', this.ledger.fileFor(skill.name), err)) throw err;
      this.backlog.keepMissed({ skill: skill.name, slot, trigger, attempt });
      return null;
    }
    const handle = startRun(
      { manifest: m, dir: skill.dir, runId, slot, trigger, attempt, home: this.paths.home, dayTokensLeft: dayTokensLeft(this.paths, m, now) },
      { launcher: this.launcher, clock: this.clock, logsDir: this.paths.logs, killGraceMs: this.opts.killGraceMs, logCapBytes: this.opts.logCapBytes, logsAllowed: () => this.storage.logsAllowed(), onLogError: (path, err) => this.storage.writeFailed('logs', path, err) },
    );
    this.active.set(skill.name, handle);
    if (p.probe) this.probeRuns.add(runId);
    this.emit('run-start', { skill: skill.name, runId, slot, trigger, attempt, startedAt });
    void handle.done.then((result) => this.finish(skill, handle, p, result));
    return runId;
  }

  private finish(skill: LoadedSkill, handle: RunHandle, p: Pending, r: RunResult): void {
    const m = skill.manifest!;
    const { slot, trigger, attempt } = p;
    if (this.active.get(skill.name) === handle) this.active.delete(skill.name);
    const entry: LedgerEnd = {
      type: 'end',
      run_id: handle.runId,
      skill: skill.name,
      slot,
      trigger,
      attempt,
      started_at: new Date(r.startedAt).toISOString(),
      ended_at: new Date(r.endedAt).toISOString(),
      duration_ms: r.endedAt - r.startedAt,
      outcome: r.outcome,
      exit_code: r.exitCode,
      signal: r.signal,
      log: r.logFile,
    };
    if (r.error) entry.error = r.error;
    if (r.warnings.length > 0) entry.warnings = r.warnings;
    if (p.probe) entry.breaker_probe = true;
    recordAgentEnd(this.paths, m, entry, r, this.clock.now());
    try {
      this.ledger.recordEnd(entry);
    } catch (err) {
      if (this.storage.writeFailed('runs', this.ledger.fileFor(skill.name), err)) this.backlog.keepEntry(this.ledger, entry);
      else this.log.error(`cannot record the end of run ${handle.runId}: ${(err as Error).message}`);
    }
    try {
      writeStatusFile(this.paths.status, skill.name, { status: r.outcome, timestamp: entry.ended_at, duration_ms: entry.duration_ms, run_id: handle.runId }, r.fields);
    } catch (err) {
      if (!this.storage.writeFailed('logs', this.paths.status, err)) this.log.error(`cannot write the status file of ${skill.name}: ${(err as Error).message}`);
    }
    const log = this.log.child(`skill=${skill.name} run=${handle.runId}`);
    if (r.outcome === 'success') log.info(`success in ${entry.duration_ms} ms`);
    else log.warn(`${r.outcome}: ${r.error ?? ''}`);
    for (const w of r.warnings) log.warn(w);
    this.emit('run-end', { entry, fields: r.fields });

    // A JS run that failed because the network or a server was unreachable: probe its needs now,
    // so the next slots wait instead of failing too. Such a failure says nothing about the skill.
    const networkClass = r.outcome === 'failure' && r.errorCode !== undefined && NETWORK_ERROR_CODES.has(r.errorCode) && m.needs.length > 0;
    // A provider that kept failing: probe the model server now (the breaker ignores this outcome).
    if (r.outcome === 'upstream-failure') for (const n of m.needs) if (n.startsWith('model:')) this.dependencies.probeNow(n);

    // A budget refusal would only be refused again: not retried.
    const retryable = r.outcome !== 'success' && r.outcome !== 'budget-exceeded' && !(r.outcome === 'interrupted' && this.stopping);
    this.probeRuns.delete(handle.runId);
    const retrying = retryable && slot !== null && !this.stopping && attempt <= m.retries.max && r.error?.startsWith('stopped: a newer run') !== true;
    if (retrying) {
      this.scheduleRetry(skill.name, slot, attempt + 1, retryDelaySeconds(m.retries.backoffSeconds, attempt), p.probe === true);
    } else {
      const record = () => this.recordBreaker(skill, r.outcome, p.probe === true, log);
      // A JS run that failed because the network or a server was unreachable: probe its needs
      // now, so the next slots wait instead of failing too. If every need is up after all, the
      // fault is the skill's (its own API refused it): then it counts toward the breaker.
      if (networkClass) this.dependencies.probeThen(m.needs, (down) => down.length === 0 && !this.stopping && record());
      else record();
    }
    if (networkClass && retrying) for (const n of m.needs) this.dependencies.probeNow(n);
    this.drain(skill.name);
  }

  private recordBreaker(skill: LoadedSkill, outcome: RunResult['outcome'], probe: boolean, log: Logger): void {
    const changed = this.breakers.record(skill.name, skill.manifest!.breaker, outcome, probe, this.clock.now());
    if (!changed) return;
    const words = `breaker ${changed.state}${changed.until ? ` until ${changed.until}` : ''}`;
    if (changed.state === 'open') log.warn(words);
    else log.info(words);
    this.emit('breaker', { skill: skill.name, state: changed.state, until: changed.until });
  }

  private scheduleRetry(name: string, slot: string, attempt: number, delaySeconds: number, probe = false): void {
    if (probe) this.probeRetries.add(name);
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      if (probe) this.probeRetries.delete(name);
      this.dispatch(name, slot, 'retry', attempt, true, probe);
    }, delaySeconds * 1000);
    this.retryTimers.add(t);
  }

  /**
   * A breaker probe of this skill is still under way: running, queued, or waiting for its retry
   * (timer or dependency). Read from what exists, so a probe dropped on any path (budget, disk,
   * reload) never leaves the skill skipped "probe under way" for good.
   */
  private probeUnderWay(name: string): boolean {
    const run = this.active.get(name);
    if (run && this.probeRuns.has(run.runId)) return true;
    if ((this.queues.get(name) ?? []).some((q) => q.probe)) return true;
    if (this.probeRetries.has(name)) return true;
    return this.waits.hasProbeRetry(name);
  }

  private drain(name: string): void {
    if (this.stopping || this.active.has(name)) return;
    const q = this.queues.get(name);
    const next = q?.shift();
    if (q && q.length === 0) this.queues.delete(name);
    if (!next) return;
    const skill = this.skills.get(name);
    if (!skill?.manifest) return;
    if (next.slot && next.trigger !== 'retry' && this.ledger.hasSlot(name, next.slot)) return this.drain(name);
    this.launch(skill, next);
  }

  /** For the health views: ok, or which writes fail, where and since when. */
  storageHealth(): StorageHealth {
    return this.storage.health();
  }

  /** Storage is writable again: write what was kept, then the missed slots follow `catchUp`. */
  private afterStorageBack(): void {
    if (this.stopping) return;
    try {
      const toRun = this.backlog.flush({ ledger: this.ledger, skills: this.validSkills(), isPaused: (n) => this.paused.has(n), now: this.clock.now(), logger: this.log, onSkip: (e) => this.emit('skip', e) });
      for (const m of toRun) this.dispatch(m.skill, m.slot, m.trigger, m.attempt, true);
    } catch (err) {
      // Never thrown from the storage probe's timer (it would take the host down).
      if (!this.storage.writeFailed('runs', this.paths.runs, err)) this.log.error(`after storage came back: ${(err as Error).message}`);
    }
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
    while (this.active.size > 0 || this.queues.size > 0 || this.retryTimers.size > 0) {
      await Promise.all([...this.active.values()].map((r) => r.done));
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

function skipReason(why: MissedReason, lastAlive: number | null, slot: number, hasNeeds: boolean, startedAt: number): SkipReason {
  if (why === 'asleep') return 'missed-while-asleep';
  // Slots that fell while no host ran are missed-while-down, even if a dependency was down too.
  if (why === 'dependency') return lastAlive !== null && slot > lastAlive && slot < startedAt ? 'missed-while-down' : 'dependency-down';
  if (lastAlive === null || slot > lastAlive) return 'missed-while-down';
  // A slot the previous host was alive for and never recorded: it waited for a dependency.
  return hasNeeds ? 'dependency-down' : 'missed';
}
