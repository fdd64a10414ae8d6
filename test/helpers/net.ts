import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (never 3019/3020). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    if (port !== 3019 && port !== 3020) return port;
  }
}
