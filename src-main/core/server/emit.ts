// Sends one validated event to every live session of a user.
import type { EventCommandId, EventData } from '../protocol/commands';
import type { ClientSession } from './tachyon-server';

export function emitTo<C extends EventCommandId>(sessions: readonly ClientSession[], commandId: C, ...data: EventData<C> extends undefined ? [] : [EventData<C>]): void {
  for (const session of sessions) session.endpoint.sendEvent(commandId, ...data);
}
