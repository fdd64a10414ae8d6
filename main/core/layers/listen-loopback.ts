import type { Server } from 'node:http';

// Both loopback families are ours. Binding only 127.0.0.1 left [::1]:port free for any local user:
// `curl localhost:3019` (the article's health script) and a browser on http://localhost may try
// ::1 first and would talk to the squatter, credentials included. So each layer listens on 127.0.0.1
// and on ::1 with the same port; if ::1 is taken by someone else, the layer fails loudly (like a
// taken IPv4 port) instead of sharing the name. On a machine without IPv6 nobody can bind ::1,
// and `[::1]` is then not accepted as a Host name.

export const IPV6_MISSING = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EPROTONOSUPPORT', 'EINVAL']);

export interface LoopbackListening {
  servers: Server[];
  port: number;
  /** False on a machine without IPv6 loopback. */
  ipv6: boolean;
}

function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ port, host, ipv6Only: host === '::1' }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * [::1] on our port belongs to another program. It keeps Node's `EADDRINUSE` code (a standby
 * retries it like a taken IPv4 port, standby.ts), and says which address by its type, not its
 * words: `listenFailure` tells the two apart.
 */
export class Ipv6LoopbackTakenError extends Error implements NodeJS.ErrnoException {
  readonly code = 'EADDRINUSE';
  readonly port: number;

  constructor(port: number) {
    super(`another program listens on [::1]:${port}; it would receive requests sent to localhost:${port}`);
    this.name = 'Ipv6LoopbackTakenError';
    this.port = port;
  }
}

/** What a layer tells the host when it cannot listen: a taken port names the variable that moves it. */
export function listenFailure(err: NodeJS.ErrnoException, port: number, portVariable: string): string {
  if (err.code !== 'EADDRINUSE') return err.message;
  const taken = err instanceof Ipv6LoopbackTakenError ? err.message : `port ${port} is in use by another program`;
  return `${taken}; stop it or set ${portVariable}`;
}

/** `make` is called once per address: each gets its own server with the same handlers. */
export async function listenLoopback(make: () => Server, port: number): Promise<LoopbackListening> {
  const v4 = make();
  await listenOn(v4, port, '127.0.0.1');
  const actual = (v4.address() as { port: number }).port;
  const v6 = make();
  try {
    await listenOn(v6, actual, '::1');
    return { servers: [v4, v6], port: actual, ipv6: true };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (IPV6_MISSING.has(code)) return { servers: [v4], port: actual, ipv6: false };
    v4.close();
    if (code === 'EADDRINUSE') throw new Ipv6LoopbackTakenError(actual);
    throw err;
  }
}
