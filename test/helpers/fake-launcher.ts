import { once } from 'node:events';
import type { ChildHandle, ExitInfo, LaunchOptions, ProcessLauncher } from '../../main/core/runs/launcher.ts';
import { Host } from '../../main/core/host/host.ts';
import type { Dispatcher } from '../../main/core/host/dispatcher.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { FakeClock } from '../../main/core/scheduling/clock.ts';
import type { ProbeFn } from '../../main/core/dependencies/monitor.ts';

/** One process the fake launcher "started": the test decides when and how it ends. */
export interface FakeProcess {
  command: string;
  env: NodeJS.ProcessEnv;
  /** Signals the host sent it (a replace, a deadline, a shutdown). */
  signals: string[];
  ended: boolean;
  exit(code: number | null, signal?: string | null): void;
}

/**
 * A ProcessLauncher (our seam) whose command runs are scripted: for the host's logic on a fake
 * clock (gates, follow-ups, breakers), where a real process would only add wall time. A kill
 * ends the process with that signal. JS skills (fork) are not faked: use command skills.
 */
export class FakeLauncher implements ProcessLauncher {
  readonly started: FakeProcess[] = [];

  fork(): ChildHandle {
    throw new Error('FakeLauncher runs command skills only');
  }

  spawn(command: string, _args: string[], options: LaunchOptions): ChildHandle {
    const exits: ((i: ExitInfo) => void)[] = [];
    const p: FakeProcess = {
      command,
      env: options.env,
      signals: [],
      ended: false,
      exit: (code, signal = null) => {
        if (p.ended) return;
        p.ended = true;
        for (const cb of exits) cb({ code, signal });
      },
    };
    this.started.push(p);
    return {
      pid: 70000 + this.started.length,
      stdout: null,
      stderr: null,
      kill: (signal = 'SIGTERM') => {
        if (p.ended) return false;
        p.signals.push(signal);
        queueMicrotask(() => p.exit(null, signal));
        return true;
      },
      send: (_m, done) => done?.(),
      onMessage: () => undefined,
      onExit: (cb) => void exits.push(cb),
      onError: () => undefined,
    };
  }

  get last(): FakeProcess {
    const p = this.started.at(-1);
    if (!p) throw new Error('no process was started');
    return p;
  }
}

export interface ClockHost {
  host: Host;
  clock: FakeClock;
  launcher: FakeLauncher;
  /** The trigger's call for one skill at one slot (what node-schedule would do at that instant). */
  fire(name: string, slot: string | number): void;
  /** Ends the newest run with an exit code and waits until the host has recorded its end. */
  end(code: number, p?: FakeProcess): Promise<void>;
}

/** A host on a fake clock and the fake launcher, its trigger off: the test fires the slots. */
export async function clockHost(home: string, start: string, opts: { probe?: ProbeFn } = {}): Promise<ClockHost> {
  const clock = new FakeClock(start);
  const launcher = new FakeLauncher();
  const host = new Host({
    home, bundledSkillsDir: null, logger: createMemoryLogger(), clock, launcher, useTrigger: false,
    watchdogMs: 3_600_000, env: {}, ...(opts.probe ? { probe: opts.probe } : {}),
  });
  await host.start();
  // The dispatcher is the host's private part; onTrigger is what its trigger calls at a slot.
  const dispatcher = (host as unknown as { dispatcher: Dispatcher }).dispatcher;
  return {
    host,
    clock,
    launcher,
    fire: (name, slot) => dispatcher.onTrigger([name], typeof slot === 'number' ? slot : Date.parse(slot)),
    end: async (code, p = launcher.last) => {
      const recorded = once(host, 'run-end');
      p.exit(code);
      await recorded;
    },
  };
}
