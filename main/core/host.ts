import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import type { LedgerEnd, LedgerSkip, LoadedSkill, RunTrigger, SkipReason } from '../common/types.ts';
import { systemClock, type Clock } from './clock.ts';
import { slotsBetween } from './cron.ts';
import { acquireHostLock } from './host-lock.ts';
import { nodeLauncher, type ProcessLauncher } from './launcher.ts';
import { Ledger } from './ledger.ts';
import type { Logger } from './logger.ts';
import { ensureHome, homePaths, type HomePaths } from './paths.ts';
import { readPaused, writePaused } from './paused.ts';
import { planCatchUp, type MissedReason } from './reconciler.ts';
import { startRun, type RunHandle, type RunResult } from './runner.ts';
import { discoverSkills, formatProblems } from './skill-loader.ts';
import { writeStatusFile } from './status-file.ts';
import { StorageMonitor, type StorageHealth } from './storage-health.ts';
import { StorageBacklog } from './storage-recovery.ts';
import { Trigger } from './trigger.ts';

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
}

export interface HostState {
  pid: number;
  started_at: string;
  last_alive: string;
}

interface Pending {
  slot: string | null;
  trigger: RunTrigger;
  attempt: number;
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
  }

  async start(): Promise<void> {
    ensureHome(this.paths);
    this.releaseLock = acquireHostLock(this.paths.lock);
    this.startedAt = this.clock.now();
    this.previousState = this.readHostState();
    this.ledger.load();
    for (const n of readPaused(this.paths)) this.paused.add(n);
    this.loadSkills();
    this.recoverInterrupted();
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

  // ---- skills ------------------------------------------------------------------------------

  loadSkills(): void {
    const found = discoverSkills(this.opts.bundledSkillsDir, this.paths.skills);
    this.skills = new Map(found.map((s) => [s.name, s]));
    for (const s of found) {
      if (!s.manifest) this.log.warn(`skill "${s.name}" is invalid and will not run:\n${formatProblems(s)}`);
    }
    this.emit('skills-changed', found);
  }

  /** Re-reads the skill folders (SIGHUP, or a change seen by the app) and re-arms the schedule. */
  reload(): void {
    this.loadSkills();
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
    return true;
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
    if (++this.ticks % 5 === 0) this.writeHostState();
  }

  /**
   * After sleep/resume (Electron powerMonitor, a clock jump, or an explicit signal). `awakeAt`
   * is the last moment the host is known to have been awake (its last watchdog tick).
   */
  onResume(awakeAt: number = this.lastWall): void {
    if (this.stopping) return;
    const { now } = this.reconcile('asleep', awakeAt);
    if (this.opts.useTrigger !== false) this.trigger.rearm(now);
    this.writeHostState();
  }

  private readHostState(): HostState | null {
    try {
      const s = JSON.parse(readFileSync(this.paths.hostState, 'utf8')) as HostState;
      return typeof s.last_alive === 'string' ? s : null;
    } catch {
      return null;
    }
  }

  private writeHostState(): void {
    const state: HostState = {
      pid: process.pid,
      started_at: new Date(this.startedAt).toISOString(),
      last_alive: new Date(this.clock.now()).toISOString(),
    };
    try {
      writeFileAtomic.sync(this.paths.hostState, JSON.stringify(state) + '\n', { mode: 0o600, fsync: false });
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
      this.ledger.recordEnd(entry);
      writeStatusFile(this.paths.status, open.skill, { status: 'interrupted', timestamp: entry.ended_at, duration_ms: entry.duration_ms, run_id: open.run_id }, {});
      this.log.warn(`run ${open.run_id} of "${open.skill}" was cut off by the previous host: recorded interrupted`);
      this.emit('run-end', { entry, fields: {} });
      const skill = this.skills.get(open.skill);
      if (skill?.manifest && open.slot && open.attempt <= skill.manifest.retries.max) {
        this.scheduleRetry(open.skill, open.slot, open.attempt + 1, skill.manifest.retries.backoffSeconds);
      }
    }
  }

  /** Compares the slots each skill should have had with the ledger and applies `catchUp`. */
  reconcile(reason: MissedReason | 'start', awakeAt?: number): { ran: number; skipped: number; now: number } {
    const now = this.clock.now();
    const lastAlive = this.previousState ? Date.parse(this.previousState.last_alive) : null;
    let ran = 0;
    let skipped = 0;
    for (const skill of this.validSkills()) {
      const m = skill.manifest!;
      if (!m.enabled) continue;
      // From the skill's last slot; with none, from when the host was last known awake (the
      // previous host's last tick, or this one's before the sleep). With no history at all (a
      // first start) nothing was missed: nothing was due yet.
      const since = this.ledger.lastSlot(skill.name) ?? (reason === 'start' ? lastAlive : awakeAt) ?? now;
      if (since >= now) continue;
      const { slots, total, first } = slotsBetween(m.schedule, m.timezone, since, now, Math.max(SKIP_ENTRIES_CAP, m.catchUp.max));
      const missed = slots.filter((t) => !this.ledger.hasSlot(skill.name, new Date(t).toISOString()) && !this.isQueued(skill.name, t));
      if (missed.length === 0) continue;
      const why: MissedReason = reason === 'start' ? 'down' : reason;
      const plan = planCatchUp(missed, m.catchUp, this.paused.has(skill.name));
      const omitted = total - slots.length;
      if (omitted > 0 && first !== null) {
        // A long outage of a frequent skill: one entry stands for the slots not listed one by one.
        this.skip(skill.name, first, skipReason(why, lastAlive, first), `catchUp=${m.catchUp.mode}: ${omitted} older slots not listed one by one`, omitted, slots[0]! - 1);
        skipped += omitted;
      }
      for (const s of plan.skip) {
        this.skip(skill.name, s.slot, s.paused ? 'paused' : skipReason(why, lastAlive, s.slot), s.detail);
        skipped++;
      }
      for (const t of plan.run) {
        this.dispatch(skill.name, new Date(t).toISOString(), 'catch-up', 1, true);
        ran++;
      }
    }
    if (ran + skipped > 0) this.log.info(`reconciled (${reason}): ${ran} catch-up runs, ${skipped} slots recorded as missed`);
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

  /** Runs a skill now, outside its schedule. Returns the run id, or null if it is queued or unknown. */
  runNow(name: string): { runId: string | null; queued: boolean } | null {
    const skill = this.skills.get(name);
    if (!skill?.manifest) return null;
    return this.dispatch(name, null, 'manual', 1, true);
  }

  /**
   * The one way a run begins. A scheduled slot already in the ledger is never started again;
   * `queueAnyway` makes catch-up and manual runs wait for a running one instead of being skipped.
   */
  dispatch(name: string, slot: string | null, trigger: RunTrigger, attempt: number, queueAnyway: boolean): { runId: string | null; queued: boolean } {
    const skill = this.skills.get(name);
    const m = skill?.manifest;
    if (!skill || !m || this.stopping) return { runId: null, queued: false };
    if (slot !== null && trigger !== 'retry' && (this.ledger.hasSlot(name, slot) || this.isQueued(name, Date.parse(slot)))) {
      return { runId: null, queued: false };
    }
    if (slot !== null && trigger !== 'manual' && this.paused.has(name)) {
      if (trigger !== 'retry') this.skip(name, slot, 'paused', 'the skill is paused');
      return { runId: null, queued: false };
    }
    const running = this.active.get(name);
    if (running) {
      const policy = queueAnyway || trigger === 'retry' ? 'queue' : m.overlap;
      if (policy === 'skip') {
        if (slot) this.skip(name, slot, 'skipped-overlap', `run ${running.runId} was still running (overlap=skip)`);
        return { runId: null, queued: false };
      }
      const q = this.queues.get(name) ?? [];
      if (q.length >= QUEUE_CAP) {
        if (slot) this.skip(name, slot, 'queue-full', `${QUEUE_CAP} runs already waiting`);
        return { runId: null, queued: false };
      }
      if (policy === 'replace') {
        q.unshift({ slot, trigger, attempt });
        running.stop('replaced');
      } else {
        q.push({ slot, trigger, attempt });
      }
      this.queues.set(name, q);
      return { runId: null, queued: true };
    }
    return { runId: this.launch(skill, slot, trigger, attempt), queued: false };
  }

  private launch(skill: LoadedSkill, slot: string | null, trigger: RunTrigger, attempt: number): string | null {
    const m = skill.manifest!;
    const now = this.clock.now();
    const runId = newRunId(now);
    const startedAt = new Date(now).toISOString();
    // Written before the process exists: a host killed from here on leaves a start without an
    // end, which the next host records as interrupted. The slot is taken either way.
    // A start that cannot be written is not started (exactly once needs it); the slot is kept
    // for when storage is back.
    try {
      this.ledger.recordStart({ type: 'start', run_id: runId, skill: skill.name, slot, trigger, attempt, started_at: startedAt, host_pid: process.pid });
    } catch (err) {
      if (!this.storage.writeFailed('runs', this.ledger.fileFor(skill.name), err)) throw err;
      this.backlog.keepMissed({ skill: skill.name, slot, trigger, attempt });
      return null;
    }
    const handle = startRun(
      { manifest: m, dir: skill.dir, runId, slot, trigger, attempt, home: this.paths.home },
      { launcher: this.launcher, clock: this.clock, logsDir: this.paths.logs, killGraceMs: this.opts.killGraceMs, logCapBytes: this.opts.logCapBytes, logsAllowed: () => this.storage.logsAllowed(), onLogError: (path, err) => this.storage.writeFailed('logs', path, err) },
    );
    this.active.set(skill.name, handle);
    this.emit('run-start', { skill: skill.name, runId, slot, trigger, attempt, startedAt });
    void handle.done.then((result) => this.finish(skill, handle, slot, trigger, attempt, result));
    return runId;
  }

  private finish(skill: LoadedSkill, handle: RunHandle, slot: string | null, trigger: RunTrigger, attempt: number, r: RunResult): void {
    const m = skill.manifest!;
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

    const retryable = r.outcome !== 'success' && !(r.outcome === 'interrupted' && this.stopping);
    if (retryable && slot && !this.stopping && attempt <= m.retries.max && r.error?.startsWith('stopped: a newer run') !== true) {
      this.scheduleRetry(skill.name, slot, attempt + 1, m.retries.backoffSeconds * 2 ** (attempt - 1));
    }
    this.drain(skill.name);
  }

  private scheduleRetry(name: string, slot: string, attempt: number, delaySeconds: number): void {
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      this.dispatch(name, slot, 'retry', attempt, true);
    }, delaySeconds * 1000);
    this.retryTimers.add(t);
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
    this.launch(skill, next.slot, next.trigger, next.attempt);
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
      if (!this.storage.writeFailed('runs', this.paths.runs, err)) throw err;
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
    const r = this.runNow(name);
    if (!r?.runId) return null;
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

function skipReason(why: MissedReason, lastAlive: number | null, slot: number): SkipReason {
  if (why === 'asleep') return 'missed-while-asleep';
  if (lastAlive === null || slot > lastAlive) return 'missed-while-down';
  return 'missed';
}
