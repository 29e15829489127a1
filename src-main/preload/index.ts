// The whole preload: `window.lobby = { invoke, onPatch }` for the contract's intent names only; Electron's event object never reaches the page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { INVOKE_CHANNEL, PATCH_CHANNEL, isIntentName, type LobbyBridge, type PatchMessage } from '../contract';

export function createBridge(ipc: Pick<typeof ipcRenderer, 'invoke' | 'on' | 'removeListener'>): LobbyBridge {
  // The page is not bound by the types: the name is checked again here, and main checks name and payload once more.
  const invoke: LobbyBridge['invoke'] = (name, ...payload) => {
    if (!isIntentName(name)) return Promise.resolve({ ok: false, code: 'unknown_intent', message: 'unknown intent' });
    return ipc.invoke(INVOKE_CHANNEL, name, payload[0] ?? null);
  };
  return {
    invoke,
    onPatch(listener) {
      const forward = (_event: IpcRendererEvent, message: PatchMessage) => listener(message);
      ipc.on(PATCH_CHANNEL, forward);
      return () => {
        ipc.removeListener(PATCH_CHANNEL, forward);
      };
    },
  };
}

contextBridge.exposeInMainWorld('lobby', createBridge(ipcRenderer));
