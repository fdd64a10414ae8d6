// The machine's process table, read the cheap way for each OS: /proc on Linux (no process
// started), `ps` elsewhere (macOS). Used to find what a run started, whatever session or group
// it moved to (run-processes.ts).
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /**
   * When the process started, as the OS says it (Linux: clock ticks since boot; `ps`: lstart).
   * With the pid it names one process: a pid reused later has another start, so it is never signalled by mistake.
   */
  start: string;
  /** The program's short name, for the messages that name a process. */
  name: string;
}

export type ProcessTable = Map<number, ProcInfo>;

/** One line of /proc/<pid>/stat: the name is in parentheses and may itself hold spaces or ')'. */
export function parseProcStat(pid: number, stat: string): ProcInfo | null {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  // After ')': state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  // cutime cstime priority nice num_threads itrealvalue starttime (field 22 of the whole line).
  const rest = stat.slice(close + 2).split(' ');
  const state = rest[0];
  // A zombie is dead already (it only waits for its parent to read its status): nothing to stop.
  if (state === 'Z' || state === 'X') return null;
  const ppid = Number(rest[1]);
  const start = rest[19] ?? '';
  return Number.isFinite(ppid) ? { pid, ppid, start, name: stat.slice(open + 1, close) } : null;
}

/**
 * Read synchronously: ~300 small files take ~4 ms this way and 35-60 ms through the thread pool
 * (measured on a loaded 2-core machine), and a run's end waits for one read.
 */
function readProcTable(): ProcessTable {
  const table: ProcessTable = new Map();
  for (const n of readdirSync('/proc')) {
    const pid = Number(n);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    try {
      const info = parseProcStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (info) table.set(pid, info);
    } catch {
      // it ended while we read: not in the table
    }
  }
  return table;
}

// `ps -o lstart` is fixed-width ("Sat Dec  5 10:59:27 2026") on both macOS and procps.
const PS_LINE = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4})\s+(.*)$/;

/** `ps -A -o pid=,ppid=,stat=,lstart=,comm=` lines (macOS, or Linux without /proc). */
export function parsePsOutput(out: string): ProcessTable {
  const table: ProcessTable = new Map();
  for (const line of out.split('\n')) {
    const m = PS_LINE.exec(line);
    if (!m || m[3]!.startsWith('Z')) continue;
    const pid = Number(m[1]);
    table.set(pid, { pid, ppid: Number(m[2]), start: m[4]!, name: m[5]!.trim().split('/').pop() ?? '' });
  }
  return table;
}

function readPsTable(): Promise<ProcessTable> {
  return new Promise((resolve) => {
    execFile('ps', ['-A', '-o', 'pid=,ppid=,stat=,lstart=,comm='], {
      maxBuffer: 16 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' },
    }, (err, stdout) => {
      // No table is an empty table: the runs' own processes are still stopped by pid.
      resolve(err ? new Map() : parsePsOutput(stdout));
    });
  });
}

let procAvailable: boolean | null = null;

/** The table now. `CLAWKEEPER_PROCESS_TABLE=ps` forces the `ps` reading (tests of the macOS path on Linux). */
export async function readProcessTable(): Promise<ProcessTable> {
  if (process.env.CLAWKEEPER_PROCESS_TABLE === 'ps') return readPsTable();
  if (procAvailable === null) {
    try {
      await readFile('/proc/self/stat', 'utf8');
      procAvailable = true;
    } catch {
      procAvailable = false;
    }
  }
  return procAvailable ? Promise.resolve(readProcTable()) : readPsTable();
}

/**
 * Pids whose environment holds `CLAWKEEPER_RUN_ID=<runId>` (the run's environment is inherited by
 * everything it starts). This finds a daemon that double-forked away before any walk of the tree
 * saw it: on Linux from /proc/<pid>/environ, elsewhere from `ps` with environments (macOS `-E`).
 * Other users' processes cannot be read and are not ours to stop.
 */
export async function pidsWithRunId(table: ProcessTable, runId: string, since: StartMark): Promise<number[]> {
  if (procAvailable && process.env.CLAWKEEPER_PROCESS_TABLE !== 'ps') {
    // Only what started since the run did can be the run's: a few processes, not the whole machine.
    const candidates = [...table.values()].filter((p) => since.ticks !== null && Number(p.start) >= since.ticks).map((p) => p.pid);
    return environPids(candidates, `\0CLAWKEEPER_RUN_ID=${runId}\0`);
  }
  const args = process.platform === 'darwin' ? [
    '-A', '-E', '-ww', '-o', 'pid=,lstart=,command=',
  ] : ['-A', 'e', '-ww', '-o', 'pid=,lstart=,args='];
  return new Promise((resolve) => {
    execFile('ps', args, { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout) => {
      resolve(err ? [] : pidsInPsEnvOutput(stdout, runId, since.wall));
    });
  });
}

const PS_ENV_LINE = /^\s*(\d+)\s+(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4})\s+(.*)$/;

/**
 * The pids in `ps` lines (pid, lstart, command and environment) that carry the run's marker and
 * started since `sinceWall` (ms since the epoch): as on Linux, a process that was there before
 * the run began is not the run's, whatever its arguments say (anyone may write the marker there).
 */
export function pidsInPsEnvOutput(out: string, runId: string, sinceWall: number): number[] {
  const marker = new RegExp(`(^|\\s)CLAWKEEPER_RUN_ID=${runId.replace(/[^a-z0-9-]/gi, '')}(\\s|$)`);
  const pids: number[] = [];
  for (const line of out.split('\n')) {
    const m = PS_ENV_LINE.exec(line);
    // lstart is local time, as Date reads a string without a zone.
    if (m && marker.test(m[3]!) && Date.parse(m[2]!) >= sinceWall && Number(m[1]) > 0) pids.push(Number(m[1]));
  }
  return pids;
}

async function environPids(pids: number[], marker: string): Promise<number[]> {
  const found: number[] = [];
  await Promise.all(
    pids.map(async (pid) => {
      try {
        const env = `\0${await readFile(`/proc/${pid}/environ`, 'latin1')}`;
        if (env.includes(marker)) found.push(pid);
      } catch {
        // gone, or not ours
      }
    }),
  );
  return found;
}

/**
 * "Now", to tell the processes started since (a second of slack): in clock ticks since boot for
 * /proc (null without it), and in ms since the epoch, whole seconds, for `ps`'s lstart.
 */
export interface StartMark {
  ticks: number | null;
  wall: number;
}

/**
 * Linux counts a process's start in clock ticks since boot (USER_HZ, 100 on every Linux we know
 * of); /proc/uptime gives now in seconds since boot. `ps` says when a process started to the
 * second, so the wall mark is a second back and rounded down to one.
 */
export function startMark(now = Date.now()): StartMark {
  const wall = Math.floor((now - 1000) / 1000) * 1000;
  try {
    const up = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return { ticks: Number.isFinite(up) ? Math.floor((up - 1) * 100) : null, wall };
  } catch {
    return { ticks: null, wall };
  }
}

/** Whether a process with this pid exists (EPERM: it does, and belongs to another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
