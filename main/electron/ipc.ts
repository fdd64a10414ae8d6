import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { ClawError } from '../common/errors.ts';
import { isTrustedSender, validateCommand, type Command } from './security.ts';

export const IPC_CHANNELS = {
  command: 'clawkeeper:command',
  snapshot: 'clawkeeper:snapshot',
  event: 'clawkeeper:event',
  ready: 'clawkeeper:ready',
} as const;

/**
 * The one IPC entry point: a command from the dashboard window. The sender's frame must be our
 * own page and the arguments valid, or the call is refused (and the host never sees it).
 */
export function registerCommandHandler(ipcMain: Pick<IpcMain, 'handle'>, run: (c: Command) => unknown): void {
  ipcMain.handle(IPC_CHANNELS.command, (event: Pick<IpcMainInvokeEvent, 'senderFrame'>, op: unknown, skill: unknown, opts?: unknown) => {
    if (!isTrustedSender(event.senderFrame?.url)) {
      throw new ClawError('CK_FORBIDDEN', 'ipc', 'commands are only taken from the ClawKeeper dashboard');
    }
    return run(validateCommand(op, skill, opts));
  });
}
