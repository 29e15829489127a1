// The Lobbies view's and the Lobby room's plain functions: filter, sort, map suggestions, the create form's checks; team
// columns, onlookers, the player's place and powers, the vote's tally and countdown, bot options, the boss's edit; their words.
import { describe, expect, it } from 'vitest';
import {
  checkCreateLobby, defaultDescending, filterLobbies, isLobbyFull, mapSuggestions, shouldWatchLobbies, sortLobbies,
} from '../../src-renderer/lobby-list';
import {
  allyTeamLabel, boolOptionValue, botChanges, botOptionError, botOptionsToSend, botOptionValues, countdownSeconds, isOptionOn,
  lobbyChanges, lobbyDraftOf, nextBotName, onlookers, roomPowers, selfPlace, teamColumns, voteStatus,
} from '../../src-renderer/lobby-room';
import {
  assetStatusWords, lobbiesEmptyWords, lobbyBattleWords, lobbyPlayersWords, selfPlaceWords, voteActionWords,
} from '../../src-renderer/present';
import { AIS, LIST, room, VOTE_UNTIL } from './support/lobby-fixtures';

const names: Record<string, string> = { u1: 'Alice', u2: 'Bob', u3: 'Carol', u4: 'Dave', u5: 'Erin' };
const nameOf = (id: string) => names[id] ?? id;
const ids = (list: readonly { id: string }[]) => list.map((l) => l.id);

describe('lobby list', () => {
  it('filters by every word of the text, and hides full or running lobbies when asked', () => {
    const none = { text: '', hideFull: false, hideRunning: false };
    expect(ids(filterLobbies(LIST, none)).sort()).toEqual(['a', 'b', 'c']);
    expect(ids(filterLobbies(LIST, { ...none, text: 'comet' })).sort()).toEqual(['a', 'b']);
    expect(ids(filterLobbies(LIST, { ...none, text: 'COMET red' }))).toEqual(['b']);
    expect(ids(filterLobbies(LIST, { ...none, text: 'test game' })).sort()).toEqual(['a', 'b', 'c']);
    expect(ids(filterLobbies(LIST, { ...none, hideFull: true })).sort()).toEqual(['a', 'c']);
    expect(ids(filterLobbies(LIST, { ...none, hideRunning: true })).sort()).toEqual(['a', 'b']);
    expect(isLobbyFull(LIST.b!)).toBe(true);
    // No maximum from the server: never full.
    expect(isLobbyFull({ ...LIST.b!, maxPlayerCount: 0 })).toBe(false);
  });

  it('sorts by each column both ways, running battles first (oldest first), ties by name then id', () => {
    const all = Object.values(LIST);
    expect(ids(sortLobbies(all, 'name', false))).toEqual(['b', 'a', 'c']);
    expect(ids(sortLobbies(all, 'name', true))).toEqual(['c', 'a', 'b']);
    expect(ids(sortLobbies(all, 'players', true))).toEqual(['c', 'b', 'a']);
    expect(ids(sortLobbies(all, 'map', false))).toEqual(['c', 'a', 'b']);
    expect(ids(sortLobbies(all, 'battle', false))[0]).toBe('c');
    const twins = [{ ...LIST.a!, id: 'z' }, { ...LIST.a!, id: 'y' }];
    expect(ids(sortLobbies(twins, 'players', true))).toEqual(['y', 'z']);
    expect(defaultDescending('players')).toBe(true);
    expect(defaultDescending('name')).toBe(false);
  });

  it("suggests the playlists' maps first, then those lobbies use, each once and bounded", () => {
    expect(mapSuggestions([['Tachyon Test Map', 'Comet Catcher'], ['Comet Catcher']], LIST)).toEqual(['Tachyon Test Map', 'Comet Catcher', 'Avalanche', 'Red Comet']);
    expect(mapSuggestions([], LIST, 2)).toEqual(['Avalanche', 'Comet Catcher']);
  });

  it('checks the create form beside each field and trims what it sends', () => {
    const ok = checkCreateLobby({ name: '  Friday ', mapName: ' Comet Catcher ', allyTeams: 2, teamSize: 4, bossesEnabled: false });
    expect(ok).toEqual({ ok: true, value: { name: 'Friday', mapName: 'Comet Catcher', allyTeams: 2, teamSize: 4, bossesEnabled: false } });
    const bad = checkCreateLobby({ name: ' ', mapName: 'x'.repeat(257), allyTeams: 0, teamSize: 2.5, bossesEnabled: true });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.name).toMatch(/name/);
    expect(bad.errors.mapName).toMatch(/256/);
    expect(bad.errors.allyTeams).toMatch(/1 to 16/);
    expect(bad.errors.teamSize).toMatch(/whole number/);
    expect(checkCreateLobby({ name: 'x'.repeat(65), mapName: 'm', allyTeams: 17, teamSize: 1, bossesEnabled: true })).toMatchObject({ ok: false, errors: { name: expect.stringMatching(/64/), allyTeams: expect.any(String) } });
  });

  it('asks for the list again only when connected and not subscribed', () => {
    expect(shouldWatchLobbies('connected', false)).toBe(true);
    expect(shouldWatchLobbies('connected', true)).toBe(false);
    expect(shouldWatchLobbies('reconnecting', false)).toBe(false);
  });

  it('says players, battles and an empty list in words', () => {
    expect(lobbyPlayersWords(3, 8)).toBe('3/8');
    expect(lobbyPlayersWords(3, 0)).toBe('3');
    expect(lobbyBattleWords(null, 0)).toBe('—');
    expect(lobbyBattleWords(1_000, 1_000 + 754_000)).toBe('running 12:34');
    expect(lobbiesEmptyWords(false, 0, false)).toMatch(/Connect/);
    expect(lobbiesEmptyWords(true, 0, false)).toMatch(/Waiting/);
    expect(lobbiesEmptyWords(true, 0, true)).toMatch(/No lobbies yet/);
    expect(lobbiesEmptyWords(true, 3, true)).toMatch(/matches the filter/);
  });
});

describe('lobby room', () => {
  it('makes one column per ally team with its players and bots in seat order, its places, and whether the player is on it', () => {
    const columns = teamColumns(room(), 'u1', nameOf);
    expect(columns.map((c) => [c.label, c.capacity, c.full, c.selfHere])).toEqual([['Team 1', 2, true, true], ['Team 2', 3, false, false]]);
    expect(columns[0]!.members.map((m) => m.name)).toEqual(['Alice', 'Carol']);
    expect(columns[0]!.members[0]).toMatchObject({ kind: 'player', isBoss: true, isSelf: true, isReady: true });
    expect(columns[1]!.members).toEqual([
      expect.objectContaining({ kind: 'player', name: 'Bob', isBoss: false }),
      expect.objectContaining({ kind: 'bot', botId: 'b1', name: 'NullAI 1', shortName: 'NullAI', hostName: 'Alice', mine: true }),
    ]);
  });

  it('gives a member on an ally team the room does not list a column of its own, and a nameless bot its AI name', () => {
    const odd = room({
      bots: { b9: { id: 'b9', hostUserId: 'u2', allyTeam: '3', team: '0', player: '0', name: null, shortName: 'KAIK', version: null, options: {} } },
    });
    const columns = teamColumns(odd, 'u2', nameOf);
    expect(columns.map((c) => c.label)).toEqual(['Team 1', 'Team 2', 'Team 4']);
    expect(columns[2]!.members[0]).toMatchObject({ name: 'KAIK', mine: true });
    expect(columns[2]!.capacity).toBe(0);
    expect(columns[2]!.full).toBe(false);
    expect(allyTeamLabel('x')).toBe('Team x');
  });

  it('lists spectators by name and the join queue in order, and knows where the player is', () => {
    const r = room({ spectators: { u4: { userId: 'u4', joinQueuePosition: null }, u5: { userId: 'u5', joinQueuePosition: 2 }, u9: { userId: 'u9', joinQueuePosition: 1 } } });
    const people = onlookers(r, 'u5', nameOf);
    expect(people.spectators.map((p) => p.name)).toEqual(['Dave']);
    expect(people.queue.map((p) => [p.name, p.queuePosition, p.isSelf])).toEqual([['u9', 1, false], ['Erin', 2, true]]);
    expect(selfPlace(r, 'u1')).toEqual({ kind: 'player', allyTeam: '0', isReady: true });
    expect(selfPlace(r, 'u4')).toEqual({ kind: 'spectator' });
    expect(selfPlace(r, 'u5')).toEqual({ kind: 'queue', position: 2 });
    expect(selfPlace(r, 'nobody')).toEqual({ kind: 'absent' });
    expect(selfPlace(r, null)).toEqual({ kind: 'absent' });
    expect(selfPlaceWords(selfPlace(r, 'u1'))).toBe('You play on Team 1, ready');
    expect(selfPlaceWords(selfPlace(r, 'u5'))).toBe('You are number 2 in the join queue');
    expect(selfPlaceWords(selfPlace(r, 'u4'))).toBe('You are watching');
  });

  it('gives a boss the lobby, a player the start, anyone the vote where there is no boss, and a late joiner the battle', () => {
    const boss = roomPowers(room(), 'u1', false);
    expect(boss).toMatchObject({ isBoss: true, canEditLobby: true, canStart: true, canKick: true, canAppoint: true, canUnboss: true, canJoinBattle: false });
    const player = roomPowers(room(), 'u2', false);
    expect(player).toMatchObject({ isBoss: false, canEditLobby: false, canStart: true, canKick: false, canAppoint: false, canUnboss: false });
    expect(player.canManageBot({ hostUserId: 'u1' })).toBe(false);
    expect(player.canManageBot({ hostUserId: 'u2' })).toBe(true);
    expect(boss.canManageBot({ hostUserId: 'u2' })).toBe(true);
    // No boss: changes and kicks become votes, so anyone in the lobby may ask.
    const bossless = roomPowers(room({ areBossesEnabled: false, bosses: [] }), 'u2', false);
    expect(bossless).toMatchObject({ canEditLobby: true, canKick: true, canAppoint: false });
    expect(roomPowers(room({ bosses: [] }), 'u2', false).canAppoint).toBe(true);
    // A spectator may not start; a running battle has no start but a join for whoever is not in it yet.
    expect(roomPowers(room(), 'u4', false).canStart).toBe(false);
    const running = room({ battle: { id: 'battle-1', startedAt: 1 } });
    expect(roomPowers(running, 'u4', false)).toMatchObject({ canStart: false, canJoinBattle: true });
    expect(roomPowers(running, 'u1', true).canJoinBattle).toBe(false);
    expect(roomPowers(running, 'stranger', false).canJoinBattle).toBe(false);
  });

  it('tallies the vote, counts down to its end, and knows whether the player may still vote', () => {
    const vote = room().vote!;
    const status = voteStatus(vote, VOTE_UNTIL - 12_300, 'u1');
    expect(status).toEqual({ remainingMs: 12_300, tally: { pending: 1, yes: 1, no: 1, abstain: 0 }, voters: 3, mine: 'pending', canVote: true });
    expect(countdownSeconds(status.remainingMs)).toBe(13);
    expect(voteStatus(vote, VOTE_UNTIL + 5_000, 'u1')).toMatchObject({ remainingMs: 0, canVote: false });
    expect(countdownSeconds(-5)).toBe(0);
    expect(voteStatus(vote, 0, 'u4')).toMatchObject({ mine: null, canVote: false });
    expect(voteStatus(vote, 0, 'u2').mine).toBe('yes');
  });

  it('says what a vote is about, with names', () => {
    expect(voteActionWords({ type: 'start' }, nameOf)).toBe('Start the battle');
    expect(voteActionWords({ type: 'changeMap', newMapName: 'Other Map' }, nameOf)).toBe('Change the map to Other Map');
    expect(voteActionWords({ type: 'appointBoss', bossId: 'u2' }, nameOf)).toBe('Make Bob boss');
    expect(voteActionWords({ type: 'kickban', userId: 'u3' }, nameOf)).toBe('Kick Carol');
    expect(voteActionWords({ type: 'kickban', userId: 'u3', banUntil: VOTE_UNTIL }, nameOf)).toMatch(/^Ban Carol until \d\d:\d\d$/);
    expect(assetStatusWords('missing')).toBe('missing content');
    expect(assetStatusWords('complete')).toBe('');
  });

  it("fills a bot's options from the AI's defaults, checks them, and sends only what differs", () => {
    const ai = AIS[0]!;
    const values = botOptionValues(ai, { aggression: '8' });
    expect({ ...values }).toEqual({ aggression: '8', cheat: '0', profile: 'normal' });
    expect(botOptionValues(undefined, { a: '1' })).toEqual({});
    const [aggression, cheat, profile] = ai.options;
    expect(botOptionError(aggression!, '11')).toBe('At most 10.');
    expect(botOptionError(aggression!, '-1')).toBe('At least 0.');
    expect(botOptionError(aggression!, 'lots')).toBe('A number.');
    expect(botOptionError(aggression!, '3')).toBeNull();
    expect(botOptionError(cheat!, '1')).toBeNull();
    expect(botOptionError(cheat!, 'yes')).toBe('On or off.');
    expect(botOptionError(profile!, 'hard')).toBeNull();
    expect(botOptionError(profile!, 'insane')).toMatch(/list/);
    expect(botOptionsToSend(ai, { aggression: '5', cheat: '1', profile: 'hard' })).toEqual({ cheat: '1', profile: 'hard' });
    expect(boolOptionValue(cheat!, true)).toBe('1');
    expect(boolOptionValue({ ...cheat!, default: 'false' }, true)).toBe('true');
    expect(isOptionOn('true')).toBe(true);
    expect(isOptionOn('0')).toBe(false);
  });

  it('edits a bot with only its changes, an option back at its default removed', () => {
    const ai = AIS[0]!;
    const bot = { ...room().bots.b1!, options: { aggression: '8' } };
    expect(botChanges(bot, ai, 'NullAI 1', { aggression: '8', cheat: '0', profile: 'normal' })).toBeNull();
    expect(botChanges(bot, ai, ' Grumpy ', { aggression: '5', cheat: '1', profile: 'normal' })).toEqual({ name: 'Grumpy', options: { aggression: null, cheat: '1' } });
  });

  it('names a new bot after its AI with the first free number, within 20 characters', () => {
    expect(nextBotName(room(), 'NullAI')).toBe('NullAI 2');
    expect(nextBotName(room(), 'KAIK')).toBe('KAIK 1');
    expect(nextBotName(room(), 'A'.repeat(25))).toBe(`${'A'.repeat(18)} 1`);
  });

  it("sends the boss's edit as a merge patch: changed fields, new options, and a removed option as null", () => {
    const r = room();
    const draft = lobbyDraftOf(r);
    expect(draft).toEqual({ name: 'Friday skirmish', mapName: 'Tachyon Test Map', gameOptions: [{ key: 'startmetal', value: '1000' }] });
    expect(lobbyChanges(r, draft)).toBeNull();
    expect(lobbyChanges(r, { ...draft, mapName: ' Other Map ', gameOptions: [{ key: 'startenergy', value: '500' }, { key: ' ', value: 'ignored' }] }))
      .toEqual({ mapName: 'Other Map', gameOptions: { startenergy: '500', startmetal: null } });
    expect(lobbyChanges(r, { ...draft, name: 'Saturday', gameOptions: [{ key: 'startmetal', value: '2000' }] })).toEqual({ name: 'Saturday', gameOptions: { startmetal: '2000' } });
    // An emptied name is not sent (the server needs one).
    expect(lobbyChanges(r, { ...draft, name: '  ' })).toBeNull();
  });
});
