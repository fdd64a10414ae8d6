import { createServer } from 'node:net';

/**
 * Kills a layer process and takes its port before the supervisor restarts it, so the layer
 * stays down (its restarts fail with EADDRINUSE) until `release`.
 */
export async function killAndHoldPort(pid: number, port: number): Promise<{ release: () => Promise<void> }> {
  process.kill(pid, 'SIGKILL');
  const end = Date.now() + 3000;
  for (;;) {
    const server = createServer((s) => s.destroy());
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) return { release: () => new Promise<void>((r) => (server).close(() => r())) };
    if (Date.now() > end) throw new Error(`could not take port ${port}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
