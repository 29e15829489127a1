// The one place main handles renderer intents: checks the sender frame, then hands name and payload to the lobby service (which validates and answers as data).
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { INVOKE_CHANNEL, PATCH_CHANNEL, type IpcResult } from '../contract';
import type { LobbyService } from '../app/lobby-service';
import { APP_ORIGIN } from '../app/app-origin';

/** Only our own page's top frame may speak: not an iframe, not a page that somehow navigated elsewhere. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>): boolean {
  const frame = event.senderFrame;
  if (!frame || frame !== event.sender.mainFrame) return false;
  if (!URL.canParse(frame.url)) return false;
  const url = new URL(frame.url);
  return `${url.protocol}//${url.host}` === APP_ORIGIN;
}

export interface LobbyIpcOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  service: LobbyService;
  /** The windows that get the patch feed. */
  targets: () => readonly WebContents[];
}

/** Registers the invoke handler and the patch feed; returns the function that removes both. */
export function registerLobbyIpc(options: LobbyIpcOptions): () => void {
  options.ipcMain.handle(INVOKE_CHANNEL, async (event, name: unknown, payload: unknown): Promise<IpcResult<unknown>> => {
    if (!isTrustedSender(event)) return { ok: false, code: 'forbidden_sender', message: 'This page may not use the lobby.' };
    return options.service.invoke(name, payload);
  });
  const stopFeed = options.service.onPatch((message) => {
    for (const contents of options.targets()) {
      if (!contents.isDestroyed()) contents.send(PATCH_CHANNEL, message);
    }
  });
  return () => {
    stopFeed();
    options.ipcMain.removeHandler(INVOKE_CHANNEL);
  };
}
