// The arrangement the embedded server's custom-lobby tests share: a TachyonServer per test (no rate limit, the lobby list
// flushed every 20 ms, protocol checks attached), raw players joined to it, a lobby created by one of them, and the two
// players most tests start from. After each test: the players close, then any extra teardown, then no protocol violation
// may have been seen, then the server closes.
import { afterEach, expect } from 'vitest';
import { TachyonServer, type TachyonServerOptions } from '../../src-main/core/server/tachyon-server';
import { controlsOf } from './server-controls';
import { allyTeams, lobbyName, rawPlayer, type RawPlayer } from '../core/lobby-client-harness';

/** What `lobby/create` and `lobby/join` answer, as far as these tests read it. */
export type LobbyDetails = {
  id: string;
  players: Record<string, { allyTeam: string; team: string; isReady: boolean }>;
  spectators: Record<string, { joinQueuePosition?: number }>;
  bots: Record<string, unknown>;
  [k: string]: unknown;
};

export interface TwoInLobby {
  readonly alice: RawPlayer;
  readonly bob: RawPlayer;
  readonly lobby: LobbyDetails;
}

export interface LobbyServerSuite {
  server(): TachyonServer;
  /** A fresh server with the suite's defaults and these options over them (`lobbies` merged one level deep). */
  start(options?: TachyonServerOptions): Promise<TachyonServer>;
  /** A raw player signed in as `name`, closed after the test. */
  join(name: string): Promise<RawPlayer>;
  /** A lobby on the test map with two ally teams of one, created by `creator`. */
  create(creator: RawPlayer, extra?: Record<string, unknown>): Promise<LobbyDetails>;
  /**
   * alice's lobby (created with `lobby`), which bob has joined as a spectator, or on ally team `seat` when given. The
   * `lobby/updated` events alice is sent about bob are left for the test to read.
   */
  twoInLobby(options?: { lobby?: Record<string, unknown>; seat?: string }): Promise<TwoInLobby>;
  /** The players closed after the test; a test that closes or signs in one itself takes it out or puts it in. */
  readonly players: RawPlayer[];
  /** Runs after every test once the players have closed, before the violations are checked (raw sockets opened, say). */
  teardown(step: () => Promise<void> | void): void;
}

/** Registers the file's `afterEach`; call once at the top level of a test file. */
export function useLobbyServer(defaults: TachyonServerOptions = {}): LobbyServerSuite {
  let server: TachyonServer | undefined;
  const players: RawPlayer[] = [];
  const steps: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    for (const p of players.splice(0)) await p.close();
    for (const step of steps) await step();
    if (!server) return;
    expect(controlsOf(server).violations).toEqual([]);
    await server.close();
    server = undefined;
  });

  const suite: LobbyServerSuite = {
    server: () => {
      if (!server) throw new Error('no server: call start() first');
      return server;
    },
    async start(options = {}) {
      server = new TachyonServer({ rateLimit: null, ...defaults, ...options, lobbies: { listFlushMs: 20, ...defaults.lobbies, ...options.lobbies } });
      controlsOf(server);
      await server.listen(0);
      return server;
    },
    async join(name) {
      const player = await rawPlayer(suite.server(), name);
      players.push(player);
      return player;
    },
    create: (creator, extra = {}) => creator.ok<LobbyDetails>('lobby/create', { name: lobbyName(), mapName: 'Test Map', allyTeamConfig: allyTeams(), ...extra }),
    async twoInLobby({ lobby: extra = {}, seat } = {}) {
      const alice = await suite.join('alice');
      const bob = await suite.join('bob');
      const lobby = await suite.create(alice, extra);
      await bob.ok('lobby/join', { id: lobby.id });
      if (seat !== undefined) await bob.ok('lobby/joinAllyTeam', { allyTeam: seat });
      return { alice, bob, lobby };
    },
    players,
    teardown: (step) => void steps.push(step),
  };
  return suite;
}
