// A layer process can start as a warm standby: Node booted and every module loaded (the imports of
// the layer entry run before its body), but nothing read from disk and nothing listening. The
// supervisor activates it the moment the active layer is gone, which takes the ~0.3 s of a Node
// boot off the recovery path. Nothing is handed over: Electron's utilityProcess cannot receive a
// socket handle, so the standby binds the port itself (retrying while the dead one still holds it).
import { onHost, toHost } from './ipc.ts';

/** Set by the supervisor in a standby's environment. */
export const STANDBY_ENV = 'CLAWKEEPER_LAYER_STANDBY';
/** How often an active layer says it is alive: the supervisor's quick hang verdict needs silence. */
export const ALIVE_EVERY_MS = 200;

/**
 * Returns at once in an ordinary layer; in a standby, once the host says `activate`. The layer
 * entry awaits this before it reads anything (token, settings, revoked sessions, session history,
 * its ports), so a standby that takes over works from the files as they are now, not as they were
 * when it booted.
 */
export async function untilActive(): Promise<void> {
  if (process.env[STANDBY_ENV] === '1') {
    await new Promise<void>((resolve) => {
      let active = false;
      onHost((msg) => {
        if (active || msg?.type !== 'activate') return;
        active = true;
        // Ports chosen by the OS (port 0, in tests) are known only once the first layer listened.
        process.env.CLAWKEEPER_GATEWAY_PORT = String(msg.ports.gateway);
        process.env.CLAWKEEPER_SESSION_PORT = String(msg.ports.session);
        delete process.env[STANDBY_ENV];
        resolve();
      });
      // A standby outliving its host would wait forever for nobody.
      process.once('disconnect', () => process.exit(0));
      toHost({ type: 'standby' });
    });
  }
  // A timer, not a probe: it keeps ticking while the layer is merely busy with many requests,
  // and stops when the process is stopped or its event loop is wedged. It carries the CPU time
  // used so far (the supervisor compares it with what the OS says while the layer is silent:
  // liveness.ts) and how late this tick came (the event loop's own delay).
  let due = performance.now() + ALIVE_EVERY_MS;
  setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    toHost({ type: 'alive', cpuMs: (cpu.user + cpu.system) / 1000, delayMs: Math.max(0, Math.round(now - due)) });
    due = now + ALIVE_EVERY_MS;
  }, ALIVE_EVERY_MS).unref();
}

const RETRY_EVERY_MS = 10;
/** Long enough for a killed layer's port to be released, short enough to report a real squatter soon. */
export const ADDR_IN_USE_RETRY_MS = 1500;

/**
 * Runs `listen` again while it fails with EADDRINUSE, for at most ADDR_IN_USE_RETRY_MS: the port of
 * a killed (or stopped, then killed) layer is free only once the kernel has reaped that process.
 * `listen` must create its server anew on each attempt (a Node server that failed to listen is not reused).
 */
export async function retryAddrInUse<T>(listen: () => Promise<T>, windowMs = ADDR_IN_USE_RETRY_MS): Promise<T> {
  const until = Date.now() + windowMs;
  for (;;) {
    try {
      return await listen();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() >= until) throw err;
      await new Promise((r) => setTimeout(r, RETRY_EVERY_MS));
    }
  }
}
