// The protocol revision a server speaks, in a few words for the player: the Server view and the headless client's human lines.
import type { ProtocolRevision } from '../core/lobby/state';

export const PROTOCOL_REVISION_LABELS: Readonly<Record<ProtocolRevision, string>> = {
  unknown: 'Not known yet',
  'tachyon-1.13': 'Tachyon 1.13.0',
  'tachyon-newer': 'Tachyon, newer than 1.13.0',
  'tachyon-current': 'Tachyon, Teiserver\'s current revision',
};
