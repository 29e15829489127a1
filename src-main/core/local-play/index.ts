// Local play's public API: the embedded server, the content it offers and the local autohost, started together.
export { startLocalPlay } from './local-play';
export type { LocalPlay, LocalPlayOptions } from './local-play';
export { findLocalContent, localPlaylists } from './content-playlists';
export type { LocalContent } from './content-playlists';
