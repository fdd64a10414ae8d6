// Every process a run started, so that when the run ends (its own process exits, or its deadline
// passes) the ones still alive are stopped: SIGTERM, then SIGKILL after the grace, whatever
// session or process group they moved to (`setsid`, a detached child). Two ways to know them:
// - a cgroup per run (run-cgroup.ts) where the host may make one: exact, nothing escapes;
// - otherwise the process tree walked from the run's pid every `pollMs`, remembering each
//   descendant seen, so one reparented to init later (its parent exited) is still known. A
//   process that double-forks away between two walks is missed by the walk; on Linux the end's
//   sweep also finds it by the run id in its environment (process-table.ts). docs/runs.md.
import { readFileSync } from 'node:fs';
import {
  parseProcStat, pidAlive, pidsWithRunId, readProcessTable, startMark, type ProcInfo, type ProcessTable, type StartMark,
} from './process-table.ts';
import type { RunCgroup } from './run-cgroup.ts';

export interface ProcRef {
  pid: number;
  name: string;
}

/** What stopping a run's leftovers did: what was signalled, and what was still alive after SIGKILL. */
export interface LeftoverReport {
  stopped: ProcRef[];
  unstoppable: ProcRef[];
}

const POLL_MS = Number(process.env.CLAWKEEPER_PROCESS_POLL_MS) || 200;
/** After SIGKILL, how long a process may take to vanish before it is named as not stoppable. */
const KILL_WAIT_MS = 1000;

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already, or not ours (EPERM): named below if it stays
  }
}

/** A pid listed in a cgroup, named; null once it is dead (gone, or a zombie waiting to be reaped). */
function cgroupMember(pid: number): ProcRef | null {
  try {
    const info = parseProcStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return info ? { pid, name: info.name } : null;
  } catch {
    return null;
  }
}

export class RunProcesses {
  readonly runId: string;
  /** Null in tree-walk mode (no cgroup, or the kernel refused to move the run's process in). */
  cgroup: RunCgroup | null;
  /** The cgroup made for the run, removed at the end even if the run was walked instead. */
  private readonly made: RunCgroup | null;
  private readonly rootPid: () => number | undefined;
  private root: ProcInfo | null = null;
  private readonly known = new Map<number, ProcInfo>();
  private stopping: Promise<LeftoverReport> | null = null;
  /** Every process of the run signalled so far, for the end entry's warning. */
  private readonly stopped = new Map<number, ProcRef>();
  private released = false;
  private readonly signal: (pid: number, sig: NodeJS.Signals) => void;
  /** When the run began, as the process table counts (the end's sweep looks only at what started since). */
  private readonly began: StartMark = startMark();

  /** `sendSignal`: how a process is signalled (a test passes one that a process "ignores"). */
  constructor(runId: string, cgroup: RunCgroup | null, rootPid: () => number | undefined, sendSignal = signal) {
    this.runId = runId;
    this.cgroup = cgroup;
    this.made = cgroup;
    this.rootPid = rootPid;
    this.signal = sendSignal;
    watch.add(this);
  }

  /** One look at the table (the shared watch calls it every poll): remember new descendants. */
  observe(table: ProcessTable | null): void {
    const pid = this.rootPid();
    if (pid === undefined) return;
    if (this.cgroup) {
      // The launcher moved it in already; once more is harmless. Refused while it lives: the
      // kernel will not have it there (a domain with controllers, no right), so walk the tree.
      if (this.cgroup.enter(pid) || !pidAlive(pid)) return watch.remove(this);
      this.cgroup = null;
    }
    if (!table) return;
    this.root ??= table.get(pid) ?? null;
    const from = [pid, ...this.known.keys()].filter((p) => this.isSame(table, p));
    const children = new Map<number, number[]>();
    for (const p of table.values()) {
      const list = children.get(p.ppid);
      if (list) list.push(p.pid);
      else children.set(p.ppid, [p.pid]);
    }
    while (from.length > 0) {
      for (const c of children.get(from.pop()!) ?? []) {
        if (c === pid || this.known.has(c)) continue;
        this.known.set(c, table.get(c)!);
        from.push(c);
      }
    }
  }

  /** Whether `pid` in the table is the process we saw (not a later one given the same pid). */
  private isSame(table: ProcessTable, pid: number): boolean {
    const now = table.get(pid);
    if (!now) return false;
    const seen = pid === this.root?.pid ? this.root : this.known.get(pid);
    return !seen || seen.start === now.start;
  }

  /** The run's processes alive now, its own process excluded. */
  private async alive(sweep: boolean): Promise<ProcRef[]> {
    const own = this.rootPid();
    if (this.cgroup) return this.cgroup.pids().filter((p) => p !== own).map(cgroupMember).filter((p): p is ProcRef => p !== null);
    const table = await readProcessTable();
    this.observe(table);
    if (sweep) {
      for (const pid of await pidsWithRunId(table, this.runId, this.began)) {
        const info = table.get(pid);
        if (info && pid !== own && !this.known.has(pid)) this.known.set(pid, info);
      }
    }
    return [...this.known.keys()].filter((p) => p !== own && this.isSame(table, p)).map(
      (pid) => ({ pid, name: this.known.get(pid)!.name }),
    );
  }

  /**
   * Stops every process of the run but its own (the runner stops that one): SIGTERM, SIGKILL
   * after `graceMs`, then those still there after a second are returned as unstoppable. Processes
   * that appear meanwhile are stopped too. Called at the deadline and again at the run's end.
   */
  stop(graceMs: number): Promise<LeftoverReport> {
    // One stop at a time; a later call (the run's own exit after its deadline) looks again, for
    // what the run started while it was being stopped.
    // Never rejects: a run's end must not wait on a process table that could not be read.
    this.stopping ??= this.stopAll(graceMs)
      .catch((): LeftoverReport => ({ stopped: [...this.stopped.values()], unstoppable: [] }))
      .finally(() => {
        this.stopping = null;
      });
    return this.stopping;
  }

  private async stopAll(graceMs: number): Promise<LeftoverReport> {
    const stopped = this.stopped;
    const killAt = Date.now() + graceMs;
    let left = await this.alive(true);
    while (left.length > 0 && Date.now() < killAt) {
      for (const p of left) {
        if (stopped.has(p.pid)) continue;
        stopped.set(p.pid, p);
        this.signal(p.pid, 'SIGTERM');
      }
      await sleep(Math.min(100, Math.max(1, killAt - Date.now())));
      left = await this.alive(false);
    }
    if (left.length > 0) {
      for (const p of left) stopped.set(p.pid, p);
      if (this.cgroup) this.cgroup.killAll();
      else for (const p of left) this.signal(p.pid, 'SIGKILL');
      const giveUp = Date.now() + KILL_WAIT_MS;
      while (left.length > 0 && Date.now() < giveUp) {
        await sleep(50);
        left = await this.alive(false);
        for (const p of left) if (!this.cgroup) this.signal(p.pid, 'SIGKILL');
      }
    }
    return { stopped: [...stopped.values()], unstoppable: left };
  }

  /** The run is over: no more walks; its cgroup goes once empty (the next host clears one left behind). */
  release(): void {
    if (this.released) return;
    this.released = true;
    watch.remove(this);
    this.made?.remove();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * One walk of the process table for all runs in flight (not one per run): started with the first
 * run, stopped with the last, never holding the process up.
 */
class ProcessWatch {
  private readonly runs = new Set<RunProcesses>();
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  add(r: RunProcesses): void {
    this.runs.add(r);
    // The first look soon: a command that starts something at once is walked before it can exit.
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), POLL_MS);
      this.timer.unref();
    }
    setImmediate(() => void this.tick());
  }

  remove(r: RunProcesses): void {
    this.runs.delete(r);
    if (this.runs.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private async tick(): Promise<void> {
    if (this.busy || this.runs.size === 0) return;
    this.busy = true;
    try {
      const walking = [...this.runs].some((r) => !r.cgroup);
      const table = walking ? await readProcessTable() : null;
      for (const r of [...this.runs]) r.observe(table);
    } finally {
      this.busy = false;
    }
  }
}

const watch = new ProcessWatch();
