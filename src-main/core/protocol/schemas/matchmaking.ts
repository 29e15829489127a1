// Matchmaking as the current revision has it (Tachyon 1.17.0 onwards, as Teiserver enforces it): queues named with their
// version, a `version_mismatch` refusal and a `version_changed` cancellation. `matchmaking/queueUpdate` is gone.
// From Tachyon 1.23.0 (ahead of Teiserver's copy, which does not have them yet): the server's `matchmaking/checkAssets`
// request and the queue refusal `party_missing_asset`.
import { Type } from 'typebox';
import { eventSchema, requestSchema, responseSchema, responseSchemaWithoutData } from './envelope';
import { QueueRef } from './definitions';

const Playlist = Type.Object({
  id: Type.String(),
  version: Type.String(),
  name: Type.String(),
  numOfTeams: Type.Integer(),
  teamSize: Type.Integer(),
  ranked: Type.Boolean(),
  engines: Type.Array(Type.Object({ version: Type.String() })),
  games: Type.Array(Type.Object({ springName: Type.String() })),
  maps: Type.Array(Type.Object({ springName: Type.String() })),
});

export const MatchmakingListResponse = responseSchema('matchmaking/list', Type.Object({ playlists: Type.Array(Playlist) }), []);

export const MatchmakingQueueRequest = requestSchema('matchmaking/queue', Type.Object({ queues: Type.Array(QueueRef, { minItems: 1 }) }));
export const MatchmakingQueueResponse = responseSchemaWithoutData(
  'matchmaking/queue',
  ['invalid_queue_specified', 'already_queued', 'already_in_battle', 'version_mismatch', 'party_missing_asset'],
);

/**
 * The server asks a player whether they have what a queue needs (Tachyon protocol docs, matchmaking `checkAssets`): a
 * `success` answer carries the readiness (`missing`, `downloading`, `complete`), not that the content is ready.
 */
export const MatchmakingCheckAssetsRequest = requestSchema(
  'matchmaking/checkAssets',
  Type.Object({
    queueId: Type.String(),
    version: Type.String(),
    engines: Type.Array(Type.String()),
    game: Type.String(),
    maps: Type.Array(Type.String()),
  }),
);
export const MatchmakingCheckAssetsResponse = responseSchema(
  'matchmaking/checkAssets',
  Type.Object({ assetStatus: Type.Union([Type.Literal('missing'), Type.Literal('downloading'), Type.Literal('complete')]) }),
  [],
);

export const MatchmakingCancelledEvent = eventSchema(
  'matchmaking/cancelled',
  Type.Object({
    reason: Type.Union([
      Type.Literal('intentional'), Type.Literal('server_error'), Type.Literal('party_user_left'), Type.Literal('ready_timeout'), Type.Literal('version_changed'),
    ]),
  }),
);
