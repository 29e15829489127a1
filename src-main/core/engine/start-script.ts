// Engine start scripts (TDF): the join script a player's engine reads and the host script spring-dedicated reads.
import net from 'node:net';
import type { AllyTeam, AutohostStartRequestData, Bot, Player, Team } from 'tachyon-protocol/types';

/**
 * Why a script could not be written. Messages name the field's path and the rule, never the value: the value may be
 * a password or hostile text meant for a log.
 */
export type StartScriptProblem =
  | 'unsafe_text'
  | 'empty_text'
  | 'key_clash'
  | 'invalid_number'
  | 'invalid_ip'
  | 'invalid_port'
  | 'invalid_battle_id'
  | 'duplicate_user_id'
  | 'duplicate_name'
  | 'empty_team'
  | 'unknown_bot_host'
  | 'invalid_ally'
  | 'invalid_start_box';

export class StartScriptError extends Error {
  override readonly name = 'StartScriptError';
  constructor(
    /** Where in the input the problem is, e.g. `allyTeams[0].teams[1].players[0].name`. */
    readonly path: string,
    readonly problem: StartScriptProblem,
    detail: string,
  ) {
    super(`start script: ${path} ${detail}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Safe text. The engine's TDF parser ends a value at `;`, treats `[ ] { } =` and line breaks as structure in keys and
// section names, `//` and `/*` as comments, has no escaping and trims spaces; such text is rejected, never escaped.
// Engine 106 reads the whole script inside a Lua long string `[[ … ]]`, so a value may hold a lone `[` or `]` (clan
// tags: `[ABC]alice`, played in test/engine/real-engine.test.ts) but never `[[` or `]]`.

// C0 and C1 controls, DEL, and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const STRUCTURAL_IN_KEY = /[;{}[\]=]/;
const STRUCTURAL_IN_VALUE = /[;{}=]|\[\[|\]\]/;

/** Where text goes in the script: a key or section name (strictest), or the value after `=`. */
export type ScriptTextRole = 'key' | 'value';

/** The reason `text` may not appear in a start script as a `role`, or undefined when it is safe. */
export function unsafeTextReason(text: string, role: ScriptTextRole = 'key'): string | undefined {
  if (CONTROL.test(text)) return 'contains a line break or control character';
  if (role === 'key' && STRUCTURAL_IN_KEY.test(text)) return 'contains one of ; { } [ ] = (they would change the script structure)';
  if (role === 'value' && STRUCTURAL_IN_VALUE.test(text)) return 'contains one of ; { } = [[ ]] (they would change the script structure)';
  if (text.includes('//') || text.includes('/*')) return 'contains a comment marker (// or /*)';
  if (text !== text.trim()) return 'has leading or trailing whitespace';
  return undefined;
}

function checkText(value: unknown, path: string, allowEmpty: boolean, role: ScriptTextRole = 'value'): string {
  if (typeof value !== 'string') throw new StartScriptError(path, 'unsafe_text', 'must be a string');
  if (value.length === 0) {
    if (allowEmpty) return value;
    throw new StartScriptError(path, 'empty_text', 'must not be empty');
  }
  if (value.length > 1024) throw new StartScriptError(path, 'unsafe_text', 'is too long (over 1024 characters)');
  const reason = unsafeTextReason(value, role);
  if (reason !== undefined) throw new StartScriptError(path, 'unsafe_text', reason);
  return value;
}

interface NumberRule {
  min: number;
  max: number;
  integer: boolean;
}

function checkNumber(value: unknown, path: string, rule: NumberRule): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new StartScriptError(path, 'invalid_number', 'must be a finite number');
  }
  if (rule.integer && !Number.isInteger(value)) throw new StartScriptError(path, 'invalid_number', 'must be an integer');
  if (value < rule.min || value > rule.max) {
    throw new StartScriptError(path, 'invalid_number', `must be between ${rule.min} and ${rule.max}`);
  }
  return value;
}

/** Plain decimal text: TDF wants no exponent notation, and six decimals are plenty for fractions and colours. */
function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const fixed = value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  return fixed === '-0' ? '0' : fixed;
}

export function checkIp(value: unknown, path: string): string {
  // net.isIP accepts IPv6 zone ids (`fe80::1%eth0`); the engine does not.
  if (typeof value !== 'string' || net.isIP(value) === 0 || value.includes('%')) {
    throw new StartScriptError(path, 'invalid_ip', 'must be an IPv4 or IPv6 literal (no host names, brackets or zones)');
  }
  return value;
}

export function checkPort(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new StartScriptError(path, 'invalid_port', 'must be an integer from 1 to 65535');
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// The TDF model and writer.

export type TdfValue = string | number;

/** One `[NAME]{...}` section: ordered key/value lines and nested sections. Keys are unique after lower-casing. */
export class TdfSection {
  readonly entries: Array<readonly [string, string]> = [];
  readonly sections: TdfSection[] = [];
  // The engine lower-cases keys and section names, so `Team` and `team` are the same key.
  private readonly taken = new Map<string, string>();

  constructor(readonly name: string) {}

  /** Adds `key=value`; `path` names the input field for errors (a key clash names `keyPath`). */
  set(key: string, value: TdfValue, path: string, keyPath = path): void {
    this.claim(key, keyPath);
    const text = typeof value === 'number' ? formatNumber(value) : checkText(value, path, true);
    this.entries.push([key, text]);
  }

  section(name: string, path: string): TdfSection {
    this.claim(name, path);
    const child = new TdfSection(name);
    this.sections.push(child);
    return child;
  }

  private claim(key: string, path: string): void {
    checkText(key, path, false, 'key');
    const lower = key.toLowerCase();
    const owner = this.taken.get(lower);
    if (owner !== undefined) {
      throw new StartScriptError(path, 'key_clash', `clashes (ignoring case) with a key already set in [${this.name}] by ${owner}`);
    }
    this.taken.set(lower, path);
  }
}

export function writeTdf(section: TdfSection, indent = ''): string {
  const inner = `${indent}\t`;
  let out = `${indent}[${section.name}]\n${indent}{\n`;
  for (const [key, value] of section.entries) out += `${inner}${key}=${value};\n`;
  for (const child of section.sections) out += writeTdf(child, inner);
  return `${out}${indent}}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// The join script: what a player's engine needs to join a running host (Recoil's start script keys).

export interface JoinScriptInput {
  ip: string;
  port: number;
  username: string;
  password: string;
}

/** The client's script: where the host is and who we are; everything else comes from the host. */
export function buildJoinScript(input: JoinScriptInput): string {
  const game = new TdfSection('GAME');
  game.set('HostIP', checkIp(input.ip, 'ip'), 'ip');
  game.set('HostPort', checkPort(input.port, 'port'), 'port');
  game.set('SourcePort', 0, 'SourcePort');
  game.set('MyPlayerName', checkText(input.username, 'username', false), 'username');
  game.set('MyPasswd', checkText(input.password, 'password', true), 'password');
  game.set('IsHost', 0, 'IsHost');
  return writeTdf(game);
}

// ---------------------------------------------------------------------------------------------------------------
// The host script: `autohost/start` mapped onto Recoil's start script (teams, ally teams, players, bots, spectators).

export interface HostScriptOptions {
  /** Address spring-dedicated binds for players, e.g. `0.0.0.0` or `127.0.0.1`. */
  hostIp: string;
  hostPort: number;
  /** Where our UDP autohost interface listens (bind it before starting the engine). */
  autohostIp: string;
  autohostPort: number;
  /** What to write for an archive hash the battle does not give: nothing (default, what engine 106 needs) or `1`. */
  absentHash?: 'omit' | '1';
}

const START_POS_TYPE: Record<AutohostStartRequestData['startPosType'], number> = {
  fixed: 0,
  random: 1,
  ingame: 2,
  beforegame: 3,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HASH = /^[0-9a-fA-F]{128}$/;

/** A battle id as the engine's GameID and as a key: ajv's `uuid` also accepts `urn:uuid:` and upper case (§7). */
export function normaliseBattleId(value: unknown, path = 'battleId'): string {
  const text = typeof value === 'string' ? value.toLowerCase().replace(/^urn:uuid:/, '') : '';
  if (!UUID.test(text)) throw new StartScriptError(path, 'invalid_battle_id', 'must be a UUID');
  return text;
}

const RANGES = {
  startDelay: { min: 0, max: 3600, integer: true },
  rank: { min: 0, max: 1_000_000, integer: true },
  advantage: { min: -1, max: 100, integer: false },
  incomeMultiplier: { min: 0, max: 100, integer: false },
  colour: { min: 0, max: 1, integer: false },
  startPos: { min: 0, max: 1_000_000, integer: true },
  fraction: { min: 0, max: 1, integer: false },
  restriction: { min: 0, max: 1_000_000, integer: true },
} satisfies Record<string, NumberRule>;

/** Iterates an options map as own entries; keys are named by index in errors so no hostile key text leaks. */
function eachOption(map: unknown, path: string, visit: (key: string, value: unknown, keyPath: string, valuePath: string) => void): void {
  if (map === undefined) return;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new StartScriptError(path, 'unsafe_text', 'must be an object');
  }
  let index = 0;
  for (const [key, value] of Object.entries(map)) {
    const keyPath = `${path}[key ${index}]`;
    visit(key, value, keyPath, `${keyPath}.value`);
    index++;
  }
}

function mergeCustomProperties(section: TdfSection, props: unknown, path: string): void {
  eachOption(props, path, (key, value, keyPath, valuePath) => {
    section.set(key, checkText(value, valuePath, true), valuePath, keyPath);
  });
}

function walkPlayers(data: AutohostStartRequestData): Array<{ player: Player; path: string }> {
  const out: Array<{ player: Player; path: string }> = [];
  data.allyTeams.forEach((allyTeam, a) => {
    allyTeam.teams.forEach((team, t) => {
      (team.players ?? []).forEach((player, p) => out.push({ player, path: `allyTeams[${a}].teams[${t}].players[${p}]` }));
    });
  });
  (data.spectators ?? []).forEach((player, s) => out.push({ player, path: `spectators[${s}]` }));
  return out;
}

/**
 * The script's player numbering: index = engine player number, value = userId. Team players in walk order
 * (ally team, then team), then spectators. The autohost maps engine packets back to users with it.
 */
export function scriptPlayerOrder(data: AutohostStartRequestData): string[] {
  return walkPlayers(data).map(({ player }) => player.userId);
}

export function buildHostScript(data: AutohostStartRequestData, options: HostScriptOptions): string {
  return writeTdf(buildHostScriptSection(data, options));
}

export function buildHostScriptSection(data: AutohostStartRequestData, options: HostScriptOptions): TdfSection {
  const game = new TdfSection('GAME');
  if (!Array.isArray(data.allyTeams) || data.allyTeams.length === 0) {
    throw new StartScriptError('allyTeams', 'empty_team', 'must list at least one ally team');
  }

  // Player numbers first: teams and bots refer to them.
  const players = walkPlayers(data);
  const playerNumber = new Map<string, number>();
  const names = new Set<string>();
  players.forEach(({ player, path }, index) => {
    const userId = checkText(player.userId, `${path}.userId`, false);
    const name = checkText(player.name, `${path}.name`, false);
    if (playerNumber.has(userId)) throw new StartScriptError(`${path}.userId`, 'duplicate_user_id', 'is used by another player');
    // The engine matches names case-sensitively, but two names equal ignoring case are too confusing to allow.
    if (names.has(name.toLowerCase())) throw new StartScriptError(`${path}.name`, 'duplicate_name', 'is used by another player');
    playerNumber.set(userId, index);
    names.add(name.toLowerCase());
  });

  game.set('GameID', normaliseBattleId(data.battleId), 'battleId');
  game.set('GameType', checkText(data.gameName, 'gameName', false), 'gameName');
  game.set('MapName', checkText(data.mapName, 'mapName', false), 'mapName');
  // recoil-autohost writes `1` for a missing hash; with `fixed` or `random` start positions Debian's engine 106 then
  // fails to load the map ("MapInfo: could not open file: maphelper/mapinfo.lua", rc 21), so by default it is left out.
  const absentHash = options.absentHash ?? 'omit';
  if (data.gameArchiveHash !== undefined || absentHash === '1') {
    game.set('ModHash', checkHash(data.gameArchiveHash, 'gameArchiveHash'), 'gameArchiveHash');
  }
  if (data.mapArchiveHash !== undefined || absentHash === '1') {
    game.set('MapHash', checkHash(data.mapArchiveHash, 'mapArchiveHash'), 'mapArchiveHash');
  }
  const startPosType = Object.hasOwn(START_POS_TYPE, data.startPosType) ? START_POS_TYPE[data.startPosType] : undefined;
  if (startPosType === undefined) throw new StartScriptError('startPosType', 'invalid_number', 'must be fixed, random, ingame or beforegame');
  game.set('StartPosType', startPosType, 'startPosType');
  // 0 is written as 0 (no countdown once everyone is in); absent leaves the engine's default of 4 s. recoil-autohost
  // writes only a non-zero value, so there 0 means the default.
  if (data.startDelay !== undefined) {
    game.set('GameStartDelay', checkNumber(data.startDelay, 'startDelay', RANGES.startDelay), 'startDelay');
  }

  game.set('IsHost', 1, 'IsHost');
  game.set('HostIP', checkIp(options.hostIp, 'options.hostIp'), 'options.hostIp');
  game.set('HostPort', checkPort(options.hostPort, 'options.hostPort'), 'options.hostPort');
  game.set('AutohostIP', checkIp(options.autohostIp, 'options.autohostIp'), 'options.autohostIp');
  game.set('AutohostPort', checkPort(options.autohostPort, 'options.autohostPort'), 'options.autohostPort');

  const modOptions = game.section('MODOPTIONS', 'gameOptions');
  eachOption(data.gameOptions, 'gameOptions', (key, value, keyPath, valuePath) => {
    modOptions.set(key, checkText(value, valuePath, true), valuePath, keyPath);
  });
  const mapOptions = game.section('MAPOPTIONS', 'mapOptions');
  eachOption(data.mapOptions, 'mapOptions', (key, value, keyPath, valuePath) => {
    mapOptions.set(key, checkText(value, valuePath, true), valuePath, keyPath);
  });

  if (data.restrictions !== undefined) {
    const restrict = game.section('RESTRICT', 'restrictions');
    let count = 0;
    eachOption(data.restrictions, 'restrictions', (key, value, keyPath, valuePath) => {
      restrict.set(`Unit${count}`, checkText(key, keyPath, false), keyPath);
      restrict.set(`Limit${count}`, checkNumber(value, valuePath, RANGES.restriction), valuePath);
      count++;
    });
    game.set('NumRestrictions', count, 'restrictions');
  }

  let teamNumber = 0;
  let aiNumber = 0;
  data.allyTeams.forEach((allyTeam, a) => {
    const allyPath = `allyTeams[${a}]`;
    addAllyTeam(game.section(`ALLYTEAM${a}`, allyPath), allyTeam, allyPath, data.allyTeams.length);
    if (!Array.isArray(allyTeam.teams) || allyTeam.teams.length === 0) {
      throw new StartScriptError(`${allyPath}.teams`, 'empty_team', 'must list at least one team');
    }
    allyTeam.teams.forEach((team, t) => {
      const teamPath = `${allyPath}.teams[${t}]`;
      const thisTeam = teamNumber++;
      addTeam(game.section(`TEAM${thisTeam}`, teamPath), team, teamPath, a, playerNumber);
      (team.players ?? []).forEach((player, p) => {
        const path = `${teamPath}.players[${p}]`;
        addPlayer(game.section(`PLAYER${playerNumber.get(player.userId)}`, path), player, path, thisTeam);
      });
      (team.bots ?? []).forEach((bot, b) => {
        const path = `${teamPath}.bots[${b}]`;
        addBot(game.section(`AI${aiNumber++}`, path), bot, path, thisTeam, playerNumber);
      });
    });
  });
  (data.spectators ?? []).forEach((player, s) => {
    const path = `spectators[${s}]`;
    addPlayer(game.section(`PLAYER${playerNumber.get(player.userId)}`, path), player, path, undefined);
  });

  game.set('NumAllyTeams', data.allyTeams.length, 'allyTeams');
  game.set('NumTeams', teamNumber, 'allyTeams');
  game.set('NumPlayers', players.length, 'allyTeams');
  return game;
}

function checkHash(value: unknown, path: string): string {
  if (value === undefined) return '1';
  if (typeof value !== 'string' || !HASH.test(value)) throw new StartScriptError(path, 'unsafe_text', 'must be 128 hex digits');
  return value;
}

function addAllyTeam(section: TdfSection, allyTeam: AllyTeam, path: string, allyTeamCount: number): void {
  const box = allyTeam.startBox;
  if (box !== undefined) {
    const boxPath = `${path}.startBox`;
    const top = checkNumber(box.top, `${boxPath}.top`, RANGES.fraction);
    const bottom = checkNumber(box.bottom, `${boxPath}.bottom`, RANGES.fraction);
    const left = checkNumber(box.left, `${boxPath}.left`, RANGES.fraction);
    const right = checkNumber(box.right, `${boxPath}.right`, RANGES.fraction);
    if (top >= bottom || left >= right) {
      throw new StartScriptError(boxPath, 'invalid_start_box', 'must have top < bottom and left < right');
    }
    section.set('StartRectTop', top, `${boxPath}.top`);
    section.set('StartRectLeft', left, `${boxPath}.left`);
    section.set('StartRectBottom', bottom, `${boxPath}.bottom`);
    section.set('StartRectRight', right, `${boxPath}.right`);
  }
  if (allyTeam.allies !== undefined) {
    const alliesPath = `${path}.allies`;
    if (!Array.isArray(allyTeam.allies)) throw new StartScriptError(alliesPath, 'invalid_ally', 'must be an array');
    section.set('NumAllies', allyTeam.allies.length, alliesPath);
    allyTeam.allies.forEach((ally, i) => {
      const allyPath = `${alliesPath}[${i}]`;
      if (typeof ally !== 'number' || !Number.isInteger(ally) || ally < 0 || ally >= allyTeamCount) {
        throw new StartScriptError(allyPath, 'invalid_ally', `must be an ally team index from 0 to ${allyTeamCount - 1}`);
      }
      section.set(`Ally${i}`, ally, allyPath);
    });
  }
  mergeCustomProperties(section, allyTeam.customProperties, `${path}.customProperties`);
}

function addTeam(section: TdfSection, team: Team, path: string, allyTeam: number, playerNumber: ReadonlyMap<string, number>): void {
  const firstPlayer = team.players?.[0];
  const firstBot = team.bots?.[0];
  let leader: number | undefined;
  if (firstPlayer !== undefined) leader = playerNumber.get(firstPlayer.userId);
  else if (firstBot !== undefined) {
    leader = playerNumber.get(firstBot.hostUserId);
    if (leader === undefined) throw new StartScriptError(`${path}.bots[0].hostUserId`, 'unknown_bot_host', 'is not a player of this battle');
  } else {
    throw new StartScriptError(path, 'empty_team', 'must have at least one player or bot');
  }
  section.set('AllyTeam', allyTeam, path);
  section.set('TeamLeader', leader ?? 0, path);
  if (team.advantage !== undefined) section.set('Advantage', checkNumber(team.advantage, `${path}.advantage`, RANGES.advantage), `${path}.advantage`);
  if (team.incomeMultiplier !== undefined) {
    section.set('IncomeMultiplier', checkNumber(team.incomeMultiplier, `${path}.incomeMultiplier`, RANGES.incomeMultiplier), `${path}.incomeMultiplier`);
  }
  if (team.faction !== undefined) section.set('Side', checkText(team.faction, `${path}.faction`, false), `${path}.faction`);
  if (team.color !== undefined) {
    const c = team.color;
    const rgb = [c.r, c.g, c.b].map((v, i) => formatNumber(checkNumber(v, `${path}.color.${'rgb'[i]}`, RANGES.colour)));
    section.set('RgbColor', rgb.join(' '), `${path}.color`);
  }
  if (team.startPos !== undefined) {
    section.set('StartPosX', checkNumber(team.startPos.x, `${path}.startPos.x`, RANGES.startPos), `${path}.startPos.x`);
    section.set('StartPosZ', checkNumber(team.startPos.y, `${path}.startPos.y`, RANGES.startPos), `${path}.startPos.y`);
  }
  mergeCustomProperties(section, team.customProperties, `${path}.customProperties`);
}

function addPlayer(section: TdfSection, player: Player, path: string, team: number | undefined): void {
  section.set('UserID', player.userId, `${path}.userId`);
  section.set('Name', player.name, `${path}.name`);
  section.set('Password', checkText(player.password, `${path}.password`, true), `${path}.password`);
  if (team === undefined) section.set('Spectator', 1, path);
  else section.set('Team', team, path);
  if (player.countryCode !== undefined) section.set('CountryCode', checkText(player.countryCode, `${path}.countryCode`, true), `${path}.countryCode`);
  if (player.rank !== undefined) section.set('Rank', checkNumber(player.rank, `${path}.rank`, RANGES.rank), `${path}.rank`);
  mergeCustomProperties(section, player.customProperties, `${path}.customProperties`);
}

function addBot(section: TdfSection, bot: Bot, path: string, team: number, playerNumber: ReadonlyMap<string, number>): void {
  const host = playerNumber.get(bot.hostUserId);
  if (host === undefined) throw new StartScriptError(`${path}.hostUserId`, 'unknown_bot_host', 'is not a player of this battle');
  section.set('ShortName', checkText(bot.aiShortName, `${path}.aiShortName`, false), `${path}.aiShortName`);
  section.set('Host', host, `${path}.hostUserId`);
  section.set('Team', team, path);
  if (bot.aiVersion !== undefined) section.set('Version', checkText(bot.aiVersion, `${path}.aiVersion`, false), `${path}.aiVersion`);
  if (bot.name !== undefined) section.set('Name', checkText(bot.name, `${path}.name`, false), `${path}.name`);
  if (bot.aiOptions !== undefined) {
    const aiOptions = section.section('OPTIONS', `${path}.aiOptions`);
    eachOption(bot.aiOptions, `${path}.aiOptions`, (key, value, keyPath, valuePath) => {
      aiOptions.set(key, checkText(value, valuePath, true), valuePath, keyPath);
    });
  }
  mergeCustomProperties(section, bot.customProperties, `${path}.customProperties`);
}
