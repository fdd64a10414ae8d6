import { setPriority } from 'node:os';
import type { ChildHandle, ProcessLauncher } from '../runs/launcher.ts';
import type { Logger } from '../home/logger.ts';

/**
 * Starts one layer process (active or standby) through the launcher seam, at the layers' lower
 * priority, with its output drained into the host log. Throws what the launcher throws.
 */
export function forkLayer(
  launcher: ProcessLauncher, modulePath: string, name: string, env: NodeJS.ProcessEnv, nice: number, log: Logger,
): ChildHandle {
  const child = launcher.fork(modulePath, [], { cwd: process.cwd(), env, name: `clawkeeper ${name}` });
  // The network layers yield the CPU to the host and its skill runs: a gateway under load
  // must not delay a skill (bench/isolation.ts measures it).
  if (child.pid && nice > 0) {
    try {
      setPriority(child.pid, nice);
    } catch {
      // not permitted here: the layers then run at normal priority
    }
  }
  // Always drain the layer's output: an unread pipe fills up and a layer writing to it would
  // block. Lines go to the host log, cut to 500 characters.
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = (lines.pop() ?? '').slice(0, 4096);
      for (const l of lines) if (l.trim()) log.warn(`${name}: ${l.slice(0, 500)}`);
    });
  }
  child.onError((err) => log.warn(`${name}: ${err.message}`));
  return child;
}
