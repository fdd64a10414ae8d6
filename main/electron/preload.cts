// The dashboard's only bridge to the host (sandboxed, context-isolated): three functions, no
// Node, no raw ipcRenderer. CommonJS because sandboxed preloads cannot be ES modules.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { contextBridge, ipcRenderer } = require('electron') as typeof import('electron');

const CHANNELS = { command: 'clawkeeper:command', snapshot: 'clawkeeper:snapshot', event: 'clawkeeper:event', ready: 'clawkeeper:ready' };

contextBridge.exposeInMainWorld('clawkeeper', {
  onSnapshot: (cb: (s: unknown) => void) => {
    ipcRenderer.on(CHANNELS.snapshot, (_e, s: unknown) => cb(s));
    ipcRenderer.send(CHANNELS.ready);
  },
  onEvent: (cb: (e: unknown) => void) => ipcRenderer.on(CHANNELS.event, (_e, ev: unknown) => cb(ev)),
  command: (
    op: string, skill: string, opts?: { note?: string },
  ): Promise<unknown> => ipcRenderer.invoke(CHANNELS.command, String(op), String(skill), {
    note: typeof opts?.note === 'string' ? opts.note : undefined,
  }),
});
