// Start scripts: the join script, the host script's whole mapping, numbering, and injection refusals.
import { describe, expect, it } from 'vitest';
import type { AutohostStartRequestData } from 'tachyon-protocol/types';
import {
  StartScriptError,
  buildHostScript,
  buildJoinScript,
  normaliseBattleId,
  scriptPlayerOrder,
} from '../../src-main/core/engine/start-script';

const HOST = { hostIp: '127.0.0.1', hostPort: 8452, autohostIp: '127.0.0.1', autohostPort: 9000 };
const BATTLE_ID = '5b5c4bde-4b4b-4c1e-9e7a-0a1b2c3d4e5f';

function battle(overrides: Partial<AutohostStartRequestData> = {}): AutohostStartRequestData {
  return {
    battleId: BATTLE_ID,
    engineVersion: '106.0',
    gameName: 'Tachyon Test Game',
    mapName: 'Tachyon Test Map',
    startPosType: 'fixed',
    allyTeams: [
      { teams: [{ players: [{ userId: 'u-alice', name: 'Alice', password: 'pa' }] }] },
      { teams: [{ players: [{ userId: 'u-bob', name: 'Bob', password: 'pb' }] }] },
    ],
    ...overrides,
  };
}

/** Parses our own TDF output back into nested objects (keys lower-cased), to assert on the structure. */
function parseTdf(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const stack: Array<Record<string, unknown>> = [root];
  let pendingName: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      pendingName = section[1]!.toLowerCase();
      continue;
    }
    if (line === '{') {
      const child: Record<string, unknown> = {};
      stack[stack.length - 1]![pendingName!] = child;
      stack.push(child);
      continue;
    }
    if (line === '}') {
      stack.pop();
      continue;
    }
    const entry = /^([^=]+)=(.*);$/.exec(line);
    if (!entry) throw new Error(`unparsable line ${line}`);
    stack[stack.length - 1]![entry[1]!.toLowerCase()] = entry[2];
  }
  return root;
}

function expectRejected(fn: () => unknown, path?: string | RegExp): StartScriptError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StartScriptError);
  const error = caught as StartScriptError;
  if (typeof path === 'string') expect(error.path).toBe(path);
  else if (path) expect(error.path).toMatch(path);
  return error;
}

describe('join script', () => {
  it('writes the five keys a joining player needs', () => {
    const script = buildJoinScript({ ip: '203.0.113.7', port: 8452, username: 'Alice', password: 's3cr3t' });
    expect(script).toBe('[GAME]\n{\n\tHostIP=203.0.113.7;\n\tHostPort=8452;\n\tSourcePort=0;\n\tMyPlayerName=Alice;\n\tMyPasswd=s3cr3t;\n\tIsHost=0;\n}\n');
  });

  it('accepts IPv6 literals and rejects host names, brackets, zones', () => {
    expect(buildJoinScript({ ip: '::1', port: 1, username: 'a', password: '' })).toContain('HostIP=::1;');
    for (const ip of ['localhost', 'example.org', '[::1]', 'fe80::1%eth0', '1.2.3', '', '127.0.0.1 ', '127.0.0.1;IsHost=1']) {
      expectRejected(() => buildJoinScript({ ip, port: 8452, username: 'a', password: 'b' }), 'ip');
    }
  });

  it('requires an integer port from 1 to 65535', () => {
    for (const port of [0, -5.5, 65536, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '8452' as unknown as number]) {
      expectRejected(() => buildJoinScript({ ip: '127.0.0.1', port, username: 'a', password: 'b' }), 'port');
    }
    expect(buildJoinScript({ ip: '127.0.0.1', port: 65535, username: 'a', password: 'b' })).toContain('HostPort=65535;');
  });
});

describe('host script mapping', () => {
  it('maps a whole autohost/start: teams, players, bot, spectator, numbering', () => {
    const data = battle({
      allyTeams: [
        { teams: [{ players: [{ userId: 'ua', name: 'Alice', password: 'pa' }] }] },
        {
          teams: [
            { players: [{ userId: 'ub', name: 'Bob', password: 'pb' }] },
            { bots: [{ hostUserId: 'ub', aiShortName: 'NullAI', aiVersion: '0.1', name: 'Botty', aiOptions: { difficulty: 'hard' } }] },
          ],
        },
      ],
      spectators: [{ userId: 'uc', name: 'Carol', password: 'pc' }],
    });
    const game = parseTdf(buildHostScript(data, HOST)).game as Record<string, Record<string, string>>;
    expect(game.team0).toEqual({ allyteam: '0', teamleader: '0' });
    expect(game.team1).toEqual({ allyteam: '1', teamleader: '1' });
    expect(game.team2).toEqual({ allyteam: '1', teamleader: '1' });
    expect(game.player0).toMatchObject({ userid: 'ua', name: 'Alice', password: 'pa', team: '0' });
    expect(game.player1).toMatchObject({ userid: 'ub', name: 'Bob', team: '1' });
    expect(game.player2).toMatchObject({ userid: 'uc', name: 'Carol', spectator: '1' });
    expect(game.player2).not.toHaveProperty('team');
    expect(game.ai0).toEqual({ shortname: 'NullAI', host: '1', team: '2', version: '0.1', name: 'Botty', options: { difficulty: 'hard' } });
    expect(game).toMatchObject({ numallyteams: '2', numteams: '3', numplayers: '3', ishost: '1', hostip: '127.0.0.1', hostport: '8452', autohostip: '127.0.0.1', autohostport: '9000' });
    expect(scriptPlayerOrder(data)).toEqual(['ua', 'ub', 'uc']);
  });

  it('maps every field: ids, options, restrictions, start boxes, allies, team and player details, custom properties', () => {
    const data = battle({
      battleId: `urn:uuid:${BATTLE_ID.toUpperCase()}`,
      gameArchiveHash: 'a'.repeat(128),
      startDelay: 3,
      startPosType: 'ingame',
      gameOptions: { maxunits: '500', StartMetal: '1000' },
      mapOptions: { waterlevel: '0' },
      restrictions: { armcom: 1, corcom: 0 },
      allyTeams: [
        {
          startBox: { top: 0, bottom: 0.25, left: 0, right: 1 },
          allies: [1],
          customProperties: { x: 'y' },
          teams: [
            {
              players: [{ userId: 'ua', name: 'Alice', password: 'pa', rank: 3, countryCode: 'DE', customProperties: { s: 'skill' } }],
              advantage: 0.5,
              incomeMultiplier: 1.25,
              faction: 'arm',
              color: { r: 1, g: 0.5, b: 0 },
              startPos: { x: 100, y: 200 },
              customProperties: { h: 'handicap' },
            },
          ],
        },
        { startBox: { top: 0.75, bottom: 1, left: 0, right: 1 }, teams: [{ players: [{ userId: 'ub', name: 'Bob', password: 'pb' }] }] },
      ],
    });
    const game = parseTdf(buildHostScript(data, HOST)).game as Record<string, Record<string, unknown> | string>;
    expect(game).toMatchObject({
      gameid: BATTLE_ID,
      gametype: 'Tachyon Test Game',
      mapname: 'Tachyon Test Map',
      modhash: 'a'.repeat(128),
      startpostype: '2',
      gamestartdelay: '3',
      numrestrictions: '2',
    });
    expect(game).not.toHaveProperty('maphash'); // absent hash: left out for engine 106
    expect(game.modoptions).toEqual({ maxunits: '500', startmetal: '1000' });
    expect(game.mapoptions).toEqual({ waterlevel: '0' });
    expect(game.restrict).toEqual({ unit0: 'armcom', limit0: '1', unit1: 'corcom', limit1: '0' });
    expect(game.allyteam0).toEqual({ startrecttop: '0', startrectleft: '0', startrectbottom: '0.25', startrectright: '1', numallies: '1', ally0: '1', x: 'y' });
    expect(game.allyteam1).toEqual({ startrecttop: '0.75', startrectleft: '0', startrectbottom: '1', startrectright: '1' });
    expect(game.team0).toEqual({
      allyteam: '0',
      teamleader: '0',
      advantage: '0.5',
      incomemultiplier: '1.25',
      side: 'arm',
      rgbcolor: '1 0.5 0',
      startposx: '100',
      startposz: '200',
      h: 'handicap',
    });
    expect(game.player0).toEqual({ userid: 'ua', name: 'Alice', password: 'pa', team: '0', countrycode: 'DE', rank: '3', s: 'skill' });
  });

  it('writes hashes as `1` when asked; GameStartDelay 0 for a startDelay of 0 (no countdown), none without one (the engine\'s default)', () => {
    const script = buildHostScript(battle({ startDelay: 0 }), { ...HOST, absentHash: '1' });
    expect(script).toContain('ModHash=1;');
    expect(script).toContain('MapHash=1;');
    expect(script).toContain('GameStartDelay=0;');
    const { startDelay: _none, ...without } = battle({});
    expect(buildHostScript(without, HOST)).not.toContain('GameStartDelay');
  });

  it('numbers teams globally, players in walk order then spectators, AIs globally', () => {
    const data = battle({
      allyTeams: [
        {
          teams: [
            { players: [{ userId: 'p1', name: 'P1', password: '' }, { userId: 'p2', name: 'P2', password: '' }], bots: [{ hostUserId: 'p2', aiShortName: 'A' }] },
            { bots: [{ hostUserId: 'p4', aiShortName: 'B' }] },
          ],
        },
        { teams: [{ players: [{ userId: 'p3', name: 'P3', password: '' }] }, { players: [{ userId: 'p4', name: 'P4', password: '' }] }] },
      ],
      spectators: [{ userId: 's1', name: 'S1', password: '' }],
    });
    const game = parseTdf(buildHostScript(data, HOST)).game as Record<string, Record<string, string>>;
    expect(scriptPlayerOrder(data)).toEqual(['p1', 'p2', 'p3', 'p4', 's1']);
    expect(game.player1).toMatchObject({ name: 'P2', team: '0' });
    expect(game.player2).toMatchObject({ name: 'P3', team: '2' });
    expect(game.player3).toMatchObject({ name: 'P4', team: '3' });
    expect(game.player4).toMatchObject({ name: 'S1', spectator: '1' });
    expect(game.ai0).toMatchObject({ shortname: 'A', host: '1', team: '0' });
    expect(game.ai1).toMatchObject({ shortname: 'B', host: '3', team: '1' });
    expect(game.team1).toEqual({ allyteam: '0', teamleader: '3' }); // bot-only team: leader is the bot's host
    expect(game).toMatchObject({ numteams: '4', numplayers: '5', numallyteams: '2' });
  });
});

describe('host script validation rules', () => {
  it('rejects a team with neither player nor bot', () => {
    const data = battle({ allyTeams: [{ teams: [{ players: [] }] }] });
    expect(expectRejected(() => buildHostScript(data, HOST), 'allyTeams[0].teams[0]').problem).toBe('empty_team');
  });

  it('rejects duplicate userIds and names (also spectators, also names equal ignoring case)', () => {
    const dupId = battle({ spectators: [{ userId: 'u-alice', name: 'Zed', password: '' }] });
    expect(expectRejected(() => buildHostScript(dupId, HOST), 'spectators[0].userId').problem).toBe('duplicate_user_id');
    const dupName = battle({ spectators: [{ userId: 'u-z', name: 'ALICE', password: '' }] });
    expect(expectRejected(() => buildHostScript(dupName, HOST), 'spectators[0].name').problem).toBe('duplicate_name');
  });

  it('rejects allies out of range and bots hosted by non-players', () => {
    const allies = battle();
    allies.allyTeams[0]!.allies = [2];
    expect(expectRejected(() => buildHostScript(allies, HOST), 'allyTeams[0].allies[0]').problem).toBe('invalid_ally');
    const bot = battle();
    bot.allyTeams[1]!.teams.push({ bots: [{ hostUserId: 'nobody', aiShortName: 'X' }] });
    expect(expectRejected(() => buildHostScript(bot, HOST)).problem).toBe('unknown_bot_host');
  });

  it('rejects bad numbers: negative start delay, colour out of range, inverted start box, negative restriction', () => {
    expectRejected(() => buildHostScript(battle({ startDelay: -36461103 }), HOST), 'startDelay');
    const colour = battle();
    colour.allyTeams[0]!.teams[0]!.color = { r: 2, g: 0, b: 0 };
    expectRejected(() => buildHostScript(colour, HOST), 'allyTeams[0].teams[0].color.r');
    const box = battle();
    box.allyTeams[0]!.startBox = { top: 0.8, bottom: 0.2, left: 0, right: 1 };
    expectRejected(() => buildHostScript(box, HOST), 'allyTeams[0].startBox');
    expectRejected(() => buildHostScript(battle({ restrictions: { armcom: -1 } }), HOST), 'restrictions[key 0].value');
    for (const startPosType of ['constructor', '__proto__', 'toString', 'Fixed']) {
      expectRejected(() => buildHostScript(battle({ startPosType: startPosType as 'fixed' }), HOST), 'startPosType');
    }
    const rank = battle();
    rank.allyTeams[0]!.teams[0]!.players![0]!.rank = 1.5;
    expectRejected(() => buildHostScript(rank, HOST), 'allyTeams[0].teams[0].players[0].rank');
  });

  it('rejects custom properties that clash with a set key after lower-casing, naming the key by index', () => {
    const data = battle();
    data.allyTeams[0]!.teams[0]!.players![0]!.customProperties = { ok: 'x', team: '5' };
    const error = expectRejected(() => buildHostScript(data, HOST), 'allyTeams[0].teams[0].players[0].customProperties[key 1]');
    expect(error.problem).toBe('key_clash');
    const options = battle({ gameOptions: { Speed: '1', speed: '2' } });
    expect(expectRejected(() => buildHostScript(options, HOST), 'gameOptions[key 1]').problem).toBe('key_clash');
  });

  it('normalises battle ids and rejects non-UUIDs', () => {
    expect(normaliseBattleId(`urn:uuid:${BATTLE_ID.toUpperCase()}`)).toBe(BATTLE_ID);
    expectRejected(() => normaliseBattleId('../../etc'), 'battleId');
    expectRejected(() => buildHostScript(battle({ battleId: 'x;IsHost=1' }), HOST), 'battleId');
  });
});

// Strings that would rewrite a TDF script if written as they are.
const INJECTIONS = [
  'x;IsHost=1',
  'x;}[GAME]{HostIP=6.6.6.6',
  'Alice;',
  'a}b',
  '{',
  '[[PLAYER0]]',
  'a]]',
  'key=value',
  '=',
  'line\nbreak',
  'carriage\rreturn',
  'crlf\r\nMyPasswd=x',
  'tab\tinside',
  'nul\u0000byte',
  'bell\u0007',
  'escape\u001b[31m',
  'del\u007f',
  'c1\u0085next-line',
  'sep\u2028line',
  'para\u2029graph',
  'http://evil',
  '// comment',
  'a//b',
  '/* block',
  'a/*b*/c',
  ' Xleadq',
  'Ytrailq ',
  '\u00a0nbsp',
  '  ',
  '_;(1;jaq',
  '}R0-D2^\'Lx',
  'x\n[GAME]\n{\nIsHost=1;\n}',
  'v;\tSpectator=0',
];

describe('injection corpus', () => {
  it(`has at least 30 hostile strings (${INJECTIONS.length})`, () => {
    expect(INJECTIONS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(INJECTIONS.map((s) => [JSON.stringify(s), s]))('rejects %s everywhere it could go, without echoing it', (_label, hostile) => {
    const attempts: Array<[() => unknown, string | RegExp]> = [
      [() => buildJoinScript({ ip: '127.0.0.1', port: 8452, username: hostile, password: 'p' }), 'username'],
      [() => buildJoinScript({ ip: '127.0.0.1', port: 8452, username: 'Alice', password: hostile }), 'password'],
      [() => buildJoinScript({ ip: hostile, port: 8452, username: 'Alice', password: 'p' }), 'ip'],
    ];
    const withPlayer = (field: 'name' | 'password' | 'userId' | 'countryCode') => () => {
      const data = battle();
      data.allyTeams[0]!.teams[0]!.players![0]![field] = hostile;
      return buildHostScript(data, HOST);
    };
    attempts.push([withPlayer('name'), 'allyTeams[0].teams[0].players[0].name']);
    attempts.push([withPlayer('password'), 'allyTeams[0].teams[0].players[0].password']);
    attempts.push([withPlayer('userId'), 'allyTeams[0].teams[0].players[0].userId']);
    attempts.push([withPlayer('countryCode'), 'allyTeams[0].teams[0].players[0].countryCode']);
    attempts.push([() => buildHostScript(battle({ gameName: hostile }), HOST), 'gameName']);
    attempts.push([() => buildHostScript(battle({ mapName: hostile }), HOST), 'mapName']);
    attempts.push([() => buildHostScript(battle({ gameOptions: { k: hostile } }), HOST), 'gameOptions[key 0].value']);
    attempts.push([() => buildHostScript(battle({ gameOptions: { [hostile]: 'v' } }), HOST), 'gameOptions[key 0]']);
    attempts.push([() => buildHostScript(battle({ mapOptions: { [hostile]: 'v' } }), HOST), 'mapOptions[key 0]']);
    attempts.push([() => buildHostScript(battle({ restrictions: { [hostile]: 1 } }), HOST), 'restrictions[key 0]']);
    attempts.push([
      () => {
        const data = battle();
        data.allyTeams[0]!.teams[0]!.faction = hostile;
        return buildHostScript(data, HOST);
      },
      'allyTeams[0].teams[0].faction',
    ]);
    attempts.push([
      () => {
        const data = battle();
        data.allyTeams[1]!.teams[0]!.customProperties = { [hostile]: 'v' };
        return buildHostScript(data, HOST);
      },
      'allyTeams[1].teams[0].customProperties[key 0]',
    ]);
    attempts.push([
      () => {
        const data = battle();
        data.allyTeams[1]!.teams.push({ bots: [{ hostUserId: 'u-bob', aiShortName: 'AI', aiOptions: { o: hostile } }] });
        return buildHostScript(data, HOST);
      },
      'allyTeams[1].teams[1].bots[0].aiOptions[key 0].value',
    ]);
    for (const [attempt, path] of attempts) {
      const error = expectRejected(attempt, path);
      if (hostile.trim().length > 2) expect(error.message).not.toContain(hostile.trim());
    }
  });
});

// A lone bracket is fine in a value (engine 106 plays `[ABC]alice`, see real-engine.test.ts) but still structure in a key.
const KEY_ONLY_INJECTIONS = ['[PLAYER0]', 'a]', '[x', '[ABC]alice'];

describe('brackets: clan tags in values, never in keys', () => {
  it('writes a clan-tag name, a lone [ or ] and a bracketed password as values', () => {
    expect(buildJoinScript({ ip: '127.0.0.1', port: 8452, username: '[ABC]alice', password: 'p[w]' })).toContain('\tMyPlayerName=[ABC]alice;\n\tMyPasswd=p[w];\n');
    const data = battle();
    data.allyTeams[0]!.teams[0]!.players![0]!.name = '[ABC]alice';
    data.allyTeams[0]!.teams[0]!.players![0]!.userId = 'u[1]';
    const game = parseTdf(buildHostScript({ ...data, gameOptions: { title: '[x] y' } }, HOST)).game as Record<string, Record<string, string>>;
    expect(game.player0).toMatchObject({ name: '[ABC]alice', userid: 'u[1]' });
    expect(game.modoptions).toEqual({ title: '[x] y' });
  });

  it.each(KEY_ONLY_INJECTIONS.map((s) => [s]))('refuses %s as a key or section name', (hostile) => {
    expectRejected(() => buildHostScript(battle({ gameOptions: { [hostile]: 'v' } }), HOST), 'gameOptions[key 0]');
    expectRejected(() => buildHostScript(battle({ mapOptions: { [hostile]: 'v' } }), HOST), 'mapOptions[key 0]');
    const data = battle();
    data.allyTeams[1]!.teams[0]!.customProperties = { [hostile]: 'v' };
    expectRejected(() => buildHostScript(data, HOST), 'allyTeams[1].teams[0].customProperties[key 0]');
  });

  it('refuses [[ and ]] in values: engine 106 reads the script inside a Lua long string', () => {
    for (const username of ['[[ABC]]bob', ']]x[[', 'a]]', '[[b']) {
      expect(expectRejected(() => buildJoinScript({ ip: '127.0.0.1', port: 8452, username, password: 'p' }), 'username').message).toMatch(/\[\[ \]\]/);
    }
  });
});
