import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** What the OS says a process is doing: how the supervisor tells a hung layer from a starved one. */
export interface Activity {
  /** stopped: SIGSTOP or a debugger; running: on a CPU or waiting for one; sleeping: in a system call; io: waiting for the disk. */
  state: 'stopped' | 'running' | 'sleeping' | 'io' | 'gone' | 'unknown';
  /** CPU time it has used so far (user + system, all threads), or null when unknown. */
  cpuMs: number | null;
}

const STATES: Record<string, Activity['state']> = {
  T: 'stopped', t: 'stopped', R: 'running', S: 'sleeping', I: 'sleeping', U: 'io', D: 'io', Z: 'gone', X: 'gone',
};
/** USER_HZ: 100 on every Linux that Node supports. */
const TICK_MS = 10;

/** Linux: /proc/<pid>/stat (no process started). Elsewhere (macOS): `ps -o stat=,time=`. */
export async function processActivity(pid: number): Promise<Activity> {
  if (process.platform === 'linux') {
    try {
      const text = await readFile(`/proc/${pid}/stat`, 'utf8');
      // The name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      return { state: STATES[f[0]!] ?? 'unknown', cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS };
    } catch (err) {
      return { state: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'unknown', cpuMs: null };
    }
  }
  if (process.platform === 'win32') return { state: 'unknown', cpuMs: null };
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'stat=,time=', '-p', String(pid)], { timeout: 2000 }, (err, stdout) => {
      resolve(parsePsLine(stdout ?? '') ?? { state: err && !stdout ? 'gone' : 'unknown', cpuMs: null });
    });
  });
}

/** One line of `ps -o stat=,time=`: `T    0:00.05` (macOS) or `R+   00:01:02` (procps); null if not that. */
export function parsePsLine(line: string): Activity | null {
  const m = /^\s*(\S)\S*\s+(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)\s*$/.exec(line);
  if (!m) return null;
  const [, st, d, h, min, sec] = m;
  const cpuMs = (((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min)) * 60 + Number(sec)) * 1000;
  return { state: STATES[st!] ?? 'unknown', cpuMs: Math.round(cpuMs) };
}
