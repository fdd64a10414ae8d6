import { readdirSync, readFileSync } from 'node:fs';

/** The pid still exists (signal 0 reaches it); a zombie waiting to be reaped counts. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The process exists and is not a zombie (dead, waiting for its parent or init to reap it). */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The parent pid, from /proc (Linux). */
export function ppidOf(pid: number): number {
  return Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

/** The pids whose parent is `pid`, from /proc (Linux). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (ppidOf(Number(d)) === pid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
