// Parties as the current revision has them: `party/create` answers the whole PartyState (Tachyon 1.22.0), and every
// PartyState carries `maxMembers` (1.21.0).
import { Type } from 'typebox';
import { eventSchema, responseSchema } from './envelope';
import { PartyState } from './definitions';

export const PartyCreateResponse = responseSchema('party/create', Type.Object({ party: PartyState }), []);
export const PartyInvitedEvent = eventSchema('party/invited', Type.Object({ party: PartyState }));
export const PartyUpdatedEvent = eventSchema('party/updated', PartyState);
