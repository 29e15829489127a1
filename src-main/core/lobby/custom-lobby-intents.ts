// The player's custom-lobby requests (`lobby/*`): each intent is one request. What cannot work is refused here, in words,
// before anything is sent (not in a lobby, no such team, bot or vote); the server's own refusals come back in words through
// failure-text.ts. The room itself changes only by what the server answers or sends (`lobby/updated`).
import type { AnyEvent, RequestData } from '../protocol/commands';
import { IntentError, type AddBotParams, type CreateLobbyParams, type CustomLobbyIntents, type UpdateBotParams, type UpdateLobbyParams } from './intents';
import type { LobbiesView, LobbyRoomView, StartBoxView } from './state';
import type { LobbyCalls } from './lobby-intents';
import { emptyRecord, lobbyMemberIds, roomFromDetails } from './custom-lobby-reducer';

/** What a new lobby may ask for: the IPC contract's limits, kept here too for the shells that skip it (headless). */
export const CREATE_LIMITS = { name: 64, mapName: 256, allyTeams: 16, teamSize: 16, botName: 20 } as const;

/** The intents this module serves: all of them but the skirmish AI list, which the engine layer owns. */
export type LobbyRequestIntents = Omit<CustomLobbyIntents, 'refreshSkirmishAis'>;

/** Where each side starts, as fractions of the map. Two sides: strips at the left and right edges; more: a grid of cells. */
export function startBoxes(sides: number): StartBoxView[] {
  if (sides <= 1) return [{ top: 0, bottom: 1, left: 0, right: 1 }];
  if (sides === 2) return [{ top: 0, bottom: 1, left: 0, right: 0.25 }, { top: 0, bottom: 1, left: 0.75, right: 1 }];
  const columns = Math.ceil(Math.sqrt(sides));
  const rows = Math.ceil(sides / columns);
  const round = (n: number) => Math.round(n * 1e4) / 1e4;
  return Array.from({ length: sides }, (_, i) => {
    const column = i % columns;
    const row = Math.floor(i / columns);
    return { top: round(row / rows), bottom: round((row + 1) / rows), left: round(column / columns), right: round((column + 1) / columns) };
  });
}

/** The protocol's ally-team config: `allyTeams` sides of `teamSize` teams, one player each (as Beyond All Reason plays). */
export function allyTeamConfig(allyTeams: number, teamSize: number): RequestData<'lobby/create'>['allyTeamConfig'] {
  return startBoxes(allyTeams).map((startBox) => ({ maxTeams: teamSize, startBox, teams: Array.from({ length: teamSize }, () => ({ maxPlayers: 1 })) }));
}

/** The events that change the room the player is in. */
const ROOM_EVENTS: ReadonlySet<string> = new Set(['lobby/updated', 'lobby/left', 'lobby/voteEnded']);
/** Room events held while a room answer is on its way; a server sending more than this in that time is not waited for. */
const MAX_HELD_ROOM_EVENTS = 1_000;

const invalid = (message: string) => new IntentError('invalid_input', message);

function wholeNumber(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(`${what} must be a whole number from ${min} to ${max}.`);
  return value;
}

function text(value: string, max: number, what: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw invalid(`${what} is empty.`);
  if ([...trimmed].length > max) throw invalid(`${what} is too long: at most ${max} characters.`);
  return trimmed;
}

export class CustomLobbyRequests implements LobbyRequestIntents {
  /** The player looks at the list: it is subscribed again on every new session until they stop. */
  private wantList = false;

  /** Requests whose answer is the whole room (create, join, the restore after a reconnect) on their way. */
  private roomAnswers = 0;
  private held: AnyEvent[] = [];

  /** `replay` hands a held room event back to the client's event handling. */
  constructor(private readonly lobby: LobbyCalls, private readonly replay?: (event: AnyEvent) => void) {}

  /**
   * Takes a room event that arrives while a room answer is on its way, to apply it after that answer. The answer reaches us
   * through a few promise hops, so an event the server sent after it (in the same read) would otherwise be applied first
   * and then overwritten by the older details. Returns whether it took the event.
   */
  holdRoomEvent(event: AnyEvent): boolean {
    if (!this.replay || this.roomAnswers === 0 || !ROOM_EVENTS.has(event.commandId) || this.held.length >= MAX_HELD_ROOM_EVENTS) return false;
    this.held.push(event);
    return true;
  }

  /** A request answered with the room: the room is published, then the room events that came meanwhile, in order. */
  private async roomAnswer<T, R>(request: () => Promise<T>, publish: (answer: T) => R): Promise<R> {
    this.roomAnswers++;
    try {
      return publish(await request());
    } finally {
      this.roomAnswers--;
      // Replaying events the details already hold is harmless: each merge patch sets what it names to its values then.
      if (this.roomAnswers === 0) for (const event of this.held.splice(0)) this.replay?.(event);
    }
  }

  /** Whether the list should be live: the client subscribes again when a session opens. */
  get watchingWanted(): boolean {
    return this.wantList;
  }

  private get room(): LobbyRoomView | null {
    return this.lobby.store.view.lobby;
  }

  private get list(): LobbiesView {
    return this.lobby.store.view.lobbies;
  }

  private inLobby(): LobbyRoomView {
    const room = this.room;
    if (!room) throw new IntentError('invalid_input', 'You are not in a lobby.');
    return room;
  }

  private publishRoom(details: Parameters<typeof roomFromDetails>[0]): LobbyRoomView {
    const room = roomFromDetails(details);
    if (!room) throw new IntentError('internal', 'The server answered with a lobby id no client can use.');
    this.lobby.store.publish({ slice: 'lobby', value: room });
    this.lobby.watchUsers(lobbyMemberIds(room));
    return room;
  }

  async watchLobbies(): Promise<void> {
    this.wantList = true;
    await this.subscribeList();
  }

  /**
   * Subscribes to the list. `watching` is published before the request: Teiserver sends `lobby/listReset` right after its
   * answer, possibly in the same read, and the event reducer takes it only while the list is watched.
   */
  async subscribeList(): Promise<void> {
    const before = this.list;
    this.lobby.store.publish({ slice: 'lobbies', value: { watching: true, loaded: false, entries: before.entries } });
    try {
      await this.lobby.call('lobby/subscribeList', undefined);
    } catch (error) {
      this.lobby.store.publish({ slice: 'lobbies', value: { ...this.list, watching: false } });
      throw error;
    }
  }

  async unwatchLobbies(): Promise<void> {
    this.wantList = false;
    const wasWatching = this.list.watching;
    this.lobby.store.publish({ slice: 'lobbies', value: { watching: false, loaded: false, entries: emptyRecord() } });
    // Nothing to tell a server we are not connected to: a new session starts unsubscribed unless we ask.
    if (wasWatching) await this.lobby.quietCall('lobby/unsubscribeList', undefined);
  }

  /** A session ended: the server sends no more list updates, so the list is no longer live (it is kept, stale, until then). */
  connectionLost(): void {
    const list = this.list;
    if (list.watching || list.loaded) this.lobby.store.publish({ slice: 'lobbies', value: { ...list, watching: false, loaded: false } });
  }

  async createLobby(params: CreateLobbyParams): Promise<{ lobbyId: string }> {
    const name = text(params.name, CREATE_LIMITS.name, 'The lobby name');
    const mapName = text(params.mapName, CREATE_LIMITS.mapName, 'The map name');
    const allyTeams = wholeNumber(params.allyTeams, 1, CREATE_LIMITS.allyTeams, 'The number of teams');
    const teamSize = wholeNumber(params.teamSize, 1, CREATE_LIMITS.teamSize, 'The team size');
    if (this.room) throw invalid('You are already in a lobby; leave it first.');
    const room = await this.roomAnswer(() => this.lobby.call('lobby/create', {
      name, mapName, allyTeamConfig: allyTeamConfig(allyTeams, teamSize), areBossesEnabled: params.bossesEnabled === true,
    }), (details) => this.publishRoom(details));
    return { lobbyId: room.id };
  }

  async joinLobby(params: { readonly lobbyId: string }): Promise<{ lobbyId: string }> {
    const id = params.lobbyId;
    if (id.length === 0) throw invalid('Choose a lobby to join.');
    const room = this.room;
    // Joining the lobby one is in answers its details again (Teiserver's join is idempotent); another one needs a leave first.
    if (room && room.id !== id) throw invalid('You are already in a lobby; leave it first.');
    const joined = await this.roomAnswer(() => this.lobby.call('lobby/join', { id }), (details) => this.publishRoom(details));
    return { lobbyId: joined.id };
  }

  /**
   * After a reconnect: `user/self.currentLobby` names the lobby the server still has us in, and the events sent while we were
   * away are lost, so its details are fetched again; a lobby that is gone by then is left with a notice.
   */
  async restore(lobbyId: string): Promise<void> {
    try {
      await this.roomAnswer(() => this.lobby.call('lobby/join', { id: lobbyId }), (details) => this.publishRoom(details));
    } catch (error) {
      if (error instanceof IntentError && (error.code === 'not_connected' || error.code === 'timeout')) return;
      const room = this.room;
      if (room?.id === lobbyId || room === null) {
        this.lobby.store.publish({ slice: 'lobby', value: null });
        this.lobby.notice('warning', `Could not get back into the lobby: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  async leaveLobby(): Promise<void> {
    this.inLobby();
    try {
      await this.lobby.call('lobby/leave', undefined);
    } catch (error) {
      // The server has let us go already: agree with it.
      if (!(error instanceof IntentError && (error.reason === 'not_in_lobby' || /not_in_lobby/.test(error.message)))) throw error;
    }
    this.lobby.store.publish({ slice: 'lobby', value: null });
  }

  async joinAllyTeam(params: { readonly allyTeam: string }): Promise<void> {
    const room = this.inLobby();
    if (!room.allyTeams.some((at) => at.id === params.allyTeam)) throw invalid('That team does not exist in this lobby.');
    await this.lobby.call('lobby/joinAllyTeam', { allyTeam: params.allyTeam });
  }

  async spectateLobby(): Promise<void> {
    this.inLobby();
    await this.lobby.call('lobby/spectate', undefined);
  }

  async joinLobbyQueue(): Promise<void> {
    this.inLobby();
    await this.lobby.call('lobby/joinQueue', undefined);
  }

  async addBot(params: AddBotParams): Promise<{ botId: string }> {
    const room = this.inLobby();
    if (!room.allyTeams.some((at) => at.id === params.allyTeam)) throw invalid('That team does not exist in this lobby.');
    const shortName = text(params.shortName, CREATE_LIMITS.botName, 'The AI name');
    const data: RequestData<'lobby/addBot'> = { allyTeam: params.allyTeam, shortName };
    if (params.name !== undefined) data.name = text(params.name, CREATE_LIMITS.botName, "The bot's name");
    if (params.version !== undefined) data.version = params.version;
    if (params.options !== undefined) data.options = { ...params.options };
    const answer = await this.lobby.call('lobby/addBot', data);
    return { botId: answer.id };
  }

  private knownBot(botId: string): void {
    const room = this.inLobby();
    if (!Object.hasOwn(room.bots, botId)) throw invalid('There is no such bot in the lobby.');
  }

  async updateBot(params: UpdateBotParams): Promise<void> {
    this.knownBot(params.botId);
    const data: RequestData<'lobby/updateBot'> = { id: params.botId };
    if (params.name !== undefined) data.name = text(params.name, CREATE_LIMITS.botName, "The bot's name");
    if (params.version !== undefined) data.version = params.version;
    if (params.options !== undefined) data.options = { ...params.options };
    if (Object.keys(data).length === 1) throw invalid('Nothing to change.');
    await this.lobby.call('lobby/updateBot', data);
  }

  async removeBot(params: { readonly botId: string }): Promise<void> {
    this.knownBot(params.botId);
    await this.lobby.call('lobby/removeBot', { id: params.botId });
  }

  async updateLobby(params: UpdateLobbyParams): Promise<void> {
    this.inLobby();
    const data: RequestData<'lobby/update'> = {};
    if (params.name !== undefined) data.name = text(params.name, CREATE_LIMITS.name, 'The lobby name');
    if (params.mapName !== undefined) data.mapName = text(params.mapName, CREATE_LIMITS.mapName, 'The map name');
    if (params.gameOptions !== undefined) {
      const options: Record<string, { value: string } | null> = {};
      for (const [key, value] of Object.entries(params.gameOptions)) options[key] = value === null ? null : { value };
      data.gameOptions = options;
    }
    if (Object.keys(data).length === 0) throw invalid('Nothing to change.');
    await this.lobby.call('lobby/update', data);
  }

  async setLobbyReady(params: { readonly isReady: boolean }): Promise<void> {
    const room = this.inLobby();
    const self = this.lobby.store.view.self?.userId;
    if (self !== undefined && !Object.hasOwn(room.players, self)) throw invalid('Join a team first: spectators do not ready up.');
    await this.lobby.call('lobby/updateClientStatus', { isReady: params.isReady });
  }

  async startLobbyBattle(): Promise<void> {
    const room = this.inLobby();
    if (room.battle) throw invalid('The battle has already started; join it instead.');
    await this.lobby.call('lobby/startBattle', undefined);
  }

  async joinLobbyBattle(): Promise<void> {
    const room = this.inLobby();
    if (!room.battle) throw invalid('The lobby has no battle running.');
    await this.lobby.call('lobby/joinBattle', undefined);
  }

  async voteInLobby(params: { readonly voteId: string; readonly vote: 'yes' | 'no' | 'abstain' }): Promise<void> {
    const room = this.inLobby();
    if (room.vote?.id !== params.voteId) throw invalid('That vote is over.');
    await this.lobby.call('lobby/voteSubmit', { id: params.voteId, vote: params.vote });
  }

  async appointBoss(params: { readonly userId: string }): Promise<void> {
    const room = this.inLobby();
    if (!room.areBossesEnabled) throw invalid('This lobby has no bosses.');
    await this.lobby.call('lobby/appointBoss', { userId: params.userId });
  }

  async unboss(params: { readonly userId?: string }): Promise<void> {
    const room = this.inLobby();
    const target = params.userId ?? this.lobby.store.view.self?.userId;
    if (target !== undefined && !room.bosses.includes(target)) throw invalid(params.userId === undefined ? 'You are not a boss.' : 'That player is not a boss.');
    await this.lobby.call('lobby/unboss', params.userId === undefined ? {} : { userId: params.userId });
  }

  async kickbanFromLobby(params: { readonly userId: string; readonly banMinutes?: number }): Promise<void> {
    const room = this.inLobby();
    if (!Object.hasOwn(room.players, params.userId) && !Object.hasOwn(room.spectators, params.userId)) throw invalid('That player is not in the lobby.');
    const data: RequestData<'lobby/kickban'> = { userId: params.userId };
    if (params.banMinutes !== undefined) {
      const minutes = wholeNumber(params.banMinutes, 1, 525_600, 'The ban');
      // The protocol's times are microseconds since the epoch.
      data.banUntil = Math.round(this.lobby.now() + minutes * 60_000) * 1000;
    }
    await this.lobby.call('lobby/kickban', data);
  }
}
