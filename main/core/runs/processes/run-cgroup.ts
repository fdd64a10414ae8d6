// A cgroup (v2) per run on Linux, the way systemd scopes a unit: every process the run starts is
// in it, whatever session or group it moves to, and `cgroup.kill` stops them all at once. Used
// only where the host may create one (a writable cgroup2 hierarchy: root, or a delegated
// subtree); elsewhere runs are followed by walking the process tree (run-processes.ts).
import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pidAlive } from './process-table.ts';

/** The cgroup2 mount point, from /proc/self/mountinfo (hybrid systems mount it at /sys/fs/cgroup/unified). */
function cgroup2Mount(): string | null {
  try {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      // "<id> <parent> <maj:min> <root> <mount point> <options> [optional…] - <fstype> <source> <super options>"
      const [left, right] = line.split(' - ');
      if (!left || !right || !right.startsWith('cgroup2 ')) continue;
      const f = left.split(' ');
      // A mount of a subtree (root other than /) does not line up with /proc/self/cgroup paths.
      if (f[3] === '/') return f[4]!;
    }
  } catch {
    // not Linux
  }
  return null;
}

/** This process's cgroup2 path ("0::/a/b"). */
function ownCgroup(): string | null {
  try {
    const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'));
    return line ? line.slice(3) : null;
  } catch {
    return null;
  }
}

/** The folder under which this host makes its runs' cgroups, or null where it may not. */
export class RunCgroups {
  readonly base: string;
  private constructor(base: string) {
    this.base = base;
  }

  /**
   * Probes once: a `clawkeeper-runs` cgroup beside this process (a child of its own cgroup, so a
   * service's runs stay inside the service's accounting) that the host can create and write.
   * `CLAWKEEPER_RUN_CGROUP=0` turns cgroups off (the process-tree walk is used then).
   */
  static probe(env: NodeJS.ProcessEnv = process.env): RunCgroups | null {
    if (process.platform !== 'linux' || env.CLAWKEEPER_RUN_CGROUP === '0') return null;
    const mount = cgroup2Mount();
    const own = ownCgroup();
    if (!mount || own === null) return null;
    const base = join(mount, own, 'clawkeeper-runs');
    try {
      mkdirSync(base, { recursive: true });
      // Creating a child proves we may write here; a delegated tree without it says EACCES now, not mid-run.
      const test = join(base, `probe-${process.pid}`);
      mkdirSync(test, { recursive: true });
      rmdirSync(test);
      return new RunCgroups(base);
    } catch {
      return null;
    }
  }

  /** A new, empty cgroup for one run; null if it cannot be made (the tree walk is used for that run). */
  create(runId: string): RunCgroup | null {
    const dir = join(this.base, `${process.pid}-${runId.replace(/[^a-z0-9-]/gi, '')}`);
    try {
      mkdirSync(dir);
      return new RunCgroup(dir);
    } catch {
      return null;
    }
  }

  /**
   * Cgroups left by hosts that died (the pid in their name is gone): what is still in them is
   * killed and the folder removed. Returns how many were cleared.
   */
  clearStale(alive: (pid: number) => boolean = pidAlive): number {
    let cleared = 0;
    let names: string[] = [];
    try {
      names = readdirSync(this.base);
    } catch {
      return 0;
    }
    for (const n of names) {
      const owner = Number(/^(\d+)-/.exec(n)?.[1]);
      if (!owner || alive(owner)) continue;
      const g = new RunCgroup(join(this.base, n));
      g.killAll();
      if (g.remove()) cleared++;
    }
    return cleared;
  }
}

export class RunCgroup {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  /** The file a launcher writes a pid into to move that process (and what it starts later) here. */
  get procsFile(): string {
    return join(this.dir, 'cgroup.procs');
  }

  /** Moves a process in; false if the kernel refused (then the run is followed by the tree walk). */
  enter(pid: number): boolean {
    try {
      writeFileSync(this.procsFile, String(pid));
      return true;
    } catch {
      return false;
    }
  }

  pids(): number[] {
    try {
      return readFileSync(this.procsFile, 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  /** SIGKILL to everything inside at once (`cgroup.kill`, Linux 5.14+), else to each pid. */
  killAll(): void {
    try {
      writeFileSync(join(this.dir, 'cgroup.kill'), '1');
      return;
    } catch {
      // an older kernel: one by one
    }
    for (const pid of this.pids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }

  /** Removes the cgroup once it is empty; false while a process is still inside. */
  remove(): boolean {
    try {
      rmdirSync(this.dir);
      return true;
    } catch {
      return false;
    }
  }
}
