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
    if (code === 'EADDRINUSE') {
      const e = new Error(`another program listens on [::1]:${actual}; it would receive requests sent to localhost:${actual}. Stop it or choose another port`) as NodeJS.ErrnoException;
      e.code = 'EADDRINUSE';
      throw e;
    }
    throw err;
  }
}
