import type { HostToLayer, LayerToHost } from '../../common/layer-protocol.ts';

// The layer side of the host link: Node's fork channel headless, Electron's parentPort in the app.
type ParentPort = { postMessage(m: unknown): void; on(ev: 'message', cb: (e: { data: unknown }) => void): void };
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

export function toHost(msg: LayerToHost): void {
  if (parentPort) parentPort.postMessage(msg);
  else if (process.connected && process.send) process.send(msg);
}

export function onHost(cb: (msg: HostToLayer) => void): void {
  if (parentPort) parentPort.on('message', (e) => cb(e.data as HostToLayer));
  else process.on('message', (m) => cb(m as HostToLayer));
}

/**
 * A layer outliving its host would hold the port with nobody supervising it: leave with it. And
 * a Ctrl-C in the host's terminal reaches every process of its foreground group, this one too:
 * the host stops its layers itself (after its runs), so the layer ignores SIGINT instead of dying
 * and being replaced as if it had crashed.
 */
export function exitWithHost(): void {
  process.on('disconnect', () => process.exit(0));
  process.on('SIGINT', () => undefined);
}

export function portFromEnv(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  return Number.isInteger(n) && n >= 0 && n < 65536 ? n : fallback;
}
