// The page's origin, a leaf with no imports: the window, the app:// handler and the IPC sender check all compare against it.

/** A privileged custom scheme serving the built renderer (see electron/app-protocol.ts), never file://. */
export const APP_ORIGIN = 'app://lobby';
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;
