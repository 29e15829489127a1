// Turns lobby patches into the headless client's output records: one per meaningful change, as text for people or JSON lines for scripts.
import type { ConnectionView, LobbyPatch, LobbyRoomView, LobbySnapshot, PartiesView, ProtocolRevision } from '../core/lobby/state';
import { compareIds } from '../core/lobby/custom-lobby-reducer';
import { applyLobbyPatch, lobbyStateFrom, type LobbyState } from '../shared/lobby-reducers';
import { PROTOCOL_REVISION_LABELS } from '../shared/protocol-revision';
import { printable } from './printable';

export type HeadlessRecord =
  | { kind: 'connection'; state: string; protocol: ProtocolRevision; retryInMs?: number; message?: string }
  | { kind: 'party'; partyId: string | null; members: string[]; invited: string[]; maxMembers: number | null; invitations: string[] }
  | { kind: 'stats'; userCount: number }
  | { kind: 'matchmaking'; state: string; queues: string[]; readyCount: number; reason?: string; timeoutMs?: number }
  | { kind: 'chat'; from: string; fromUserId: string; channel: string; text: string; marker: string }
  | { kind: 'battle'; phase: string; map: string; game: string; engine: string; message?: string }
  | { kind: 'engine'; status: string; exitCode: number | null; pid: number | null; message?: string }
  | { kind: 'notice'; level: string; text: string }
  | {
    kind: 'lobby'; state: 'joined' | 'left'; id: string | null; name: string;
    players: { userId: string; allyTeam: string; isReady: boolean }[]; bots: { id: string; shortName: string; allyTeam: string }[];
    battle: { id: string; startedAt: number } | null;
  }
  /** A download's state change (not every progress step): `type` is game, map or engine; `why` what it is for. */
  | { kind: 'download'; id: string; type: string; name: string; state: string; bytesDone: number; bytesTotal: number | null; why: string; error?: string };

/** Keeps the last state it reported per kind, so only real changes produce a record. */
export class HeadlessReport {
  private readonly state: LobbyState;
  private last = new Map<string, string>();
  private lastLobby: { id: string; name: string } | null = null;

  /**
   * `userName`: the name of a known user, from the core's own copy: the report then keeps no users of its own (a second map
   * of every known user, for nothing but the names of chat senders). Without it the report follows the users patches.
   */
  constructor(initial: LobbySnapshot, private readonly userName?: (userId: string) => string | undefined) {
    this.state = lobbyStateFrom(userName ? { ...initial, users: {} } : initial);
  }

  /** The state as of the last patch given to records(): read it instead of copying a whole snapshot per patch. */
  get view(): Readonly<LobbyState> {
    return this.state;
  }

  records(patch: LobbyPatch): HeadlessRecord[] {
    if (patch.slice !== 'users' || !this.userName) applyLobbyPatch(this.state, patch);
    const s = this.state;
    const out: HeadlessRecord[] = [];
    const changed = (kind: string, record: HeadlessRecord, key = JSON.stringify(record)) => {
      if (this.last.get(kind) === key) return;
      this.last.set(kind, key);
      out.push(record);
    };
    switch (patch.slice) {
      case 'connection':
      case 'protocol': {
        // The revision is learnt after `connected`: it comes as a second `connected` record that names it.
        const record = connectionRecord(s.connection);
        // Waiting in the server's login queue is news even while `connecting` was already said.
        changed('connection', record, `${record.state}|${record.retryInMs ?? ''}|${record.protocol}|${s.connection.loginQueue === true ? 'login queue' : ''}`);
        break;
      }
      case 'party':
        changed('party', partyRecord(s.party));
        break;
      case 'stats':
        changed('stats', { kind: 'stats', userCount: patch.userCount });
        break;
      case 'matchmaking': {
        const m = patch.value;
        const record: HeadlessRecord = { kind: 'matchmaking', state: m.phase, queues: m.queues.slice(), readyCount: m.readyCount };
        if (m.phase === 'cancelled' && m.cancelReason) record.reason = m.cancelReason;
        if (m.phase === 'found' && m.found) record.timeoutMs = m.found.timeoutMs;
        changed('matchmaking', record, `${m.phase}|${m.readyCount}|${m.queues.join(',')}`);
        break;
      }
      case 'chat':
        for (const line of patch.append) {
          const from = (this.userName ? this.userName(line.fromUserId) : s.users.get(line.fromUserId)?.username) || line.fromUserId;
          out.push({ kind: 'chat', from, fromUserId: line.fromUserId, channel: line.channel.type, text: line.text, marker: line.marker });
        }
        break;
      case 'battle':
        if (patch.value) {
          const b = patch.value;
          const record: HeadlessRecord = { kind: 'battle', phase: b.phase, map: b.map, game: b.game, engine: b.engine };
          if (b.message) record.message = b.message;
          changed('battle', record);
        }
        break;
      case 'engine': {
        const e = patch.value;
        const record: HeadlessRecord = { kind: 'engine', status: e.status, exitCode: e.exitCode, pid: e.pid };
        if (e.message) record.message = e.message;
        changed('engine', record, `${e.status}|${e.exitCode}|${e.message ?? ''}`);
        break;
      }
      case 'notice':
        out.push({ kind: 'notice', level: patch.value.level, text: patch.value.text });
        break;
      case 'lobby': {
        // Nothing to say before the first lobby; after one, `left` once.
        if (!patch.value && !this.last.has('lobby')) break;
        changed('lobby', lobbyRecord(patch.value, this.lastLobby));
        if (patch.value) this.lastLobby = { id: patch.value.id, name: patch.value.name };
        break;
      }
      case 'downloads':
        for (const item of patch.value.items) {
          const record: HeadlessRecord = {
            kind: 'download', id: item.id, type: item.kind, name: item.name, state: item.state, bytesDone: item.bytesDone, bytesTotal: item.bytesTotal,
            why: item.reasons.join(', '), ...(item.error ? { error: item.error } : {}),
          };
          changed(`download ${item.id}`, record, item.state);
        }
        break;
      default:
        break;
    }
    return out;
  }
}

function connectionRecord(c: ConnectionView): HeadlessRecord & { kind: 'connection' } {
  // `connecting` after a wait is still a reconnect; report the phase and, while waiting, when the next try is.
  const record: HeadlessRecord = { kind: 'connection', state: c.phase === 'idle' ? 'connecting' : c.phase, protocol: c.protocol };
  if (c.phase === 'reconnecting' && c.retryInMs !== undefined) record.retryInMs = c.retryInMs;
  if (c.message && c.phase !== 'connected') record.message = c.message;
  return record;
}

function lobbyRecord(room: LobbyRoomView | null, last: { id: string; name: string } | null): HeadlessRecord {
  if (!room) return { kind: 'lobby', state: 'left', id: last?.id ?? null, name: last?.name ?? '', players: [], bots: [], battle: null };
  return {
    kind: 'lobby', state: 'joined', id: room.id, name: room.name,
    players: Object.values(room.players).map((p) => ({ userId: p.userId, allyTeam: p.allyTeam, isReady: p.isReady }))
      .sort((a, b) => compareIds(a.allyTeam, b.allyTeam) || compareIds(a.userId, b.userId)),
    bots: Object.values(room.bots).map((b) => ({ id: b.id, shortName: b.shortName, allyTeam: b.allyTeam })).sort((a, b) => compareIds(a.id, b.id)),
    battle: room.battle ? { id: room.battle.id, startedAt: room.battle.startedAt } : null,
  };
}

function partyRecord(p: PartiesView): HeadlessRecord {
  const party = p.current;
  return {
    kind: 'party', partyId: party?.id ?? null, members: party?.members.map((m) => m.userId) ?? [], invited: party?.invited.map((i) => i.userId) ?? [],
    maxMembers: party?.maxMembers ?? null, invitations: p.invitations.map((i) => i.id),
  };
}

const ids = (list: readonly string[]) => list.map((id) => printable(id, 40)).join(', ');

export function humanLine(record: HeadlessRecord): string {
  switch (record.kind) {
    case 'connection':
      return `connection: ${record.state}${record.retryInMs !== undefined ? ` (retry in ${(record.retryInMs / 1000).toFixed(1)} s)` : ''}${record.protocol !== 'unknown' ? ` (protocol: ${PROTOCOL_REVISION_LABELS[record.protocol]})` : ''}${record.message ? ` - ${printable(record.message)}` : ''}`;
    case 'party': {
      // Places taken as the server counts them: members and open invitations.
      const taken = record.members.length + record.invited.length;
      const size = `${taken}${record.maxMembers !== null ? ` / ${record.maxMembers}` : ''}`;
      const current = record.partyId === null ? 'none' : `${size} [${ids(record.members)}]${record.invited.length ? ` invited [${ids(record.invited)}]` : ''}`;
      return `party: ${current}${record.invitations.length ? `; invited to ${record.invitations.length}` : ''}`;
    }
    case 'stats':
      return `server: ${record.userCount} users online`;
    case 'matchmaking':
      return `matchmaking: ${record.state}${record.queues.length ? ` [${record.queues.map((q) => printable(q, 40)).join(', ')}]` : ''}${record.state === 'found' || record.state === 'readied' ? ` ready ${record.readyCount}` : ''}${record.reason ? ` (${record.reason})` : ''}`;
    case 'chat':
      return `chat ${record.channel === 'party' || record.channel === 'lobby' ? `[${record.channel}] ` : ''}<${printable(record.from, 60)}> ${printable(record.text)}`;
    case 'battle':
      return `battle: ${record.phase} - map ${printable(record.map, 100)}, game ${printable(record.game, 100)}, engine ${printable(record.engine, 40)}${record.message ? ` - ${printable(record.message)}` : ''}`;
    case 'engine':
      return `engine: ${record.status}${record.pid !== null && record.status !== 'offline' ? ` (pid ${record.pid})` : ''}${record.exitCode !== null && record.status === 'offline' ? ` exit code ${record.exitCode}` : ''}${record.message ? ` - ${printable(record.message)}` : ''}`;
    case 'notice':
      return `${record.level}: ${printable(record.text)}`;
    case 'lobby': {
      const which = `${printable(record.name, 80)}${record.id !== null ? ` (${printable(record.id, 40)})` : ''}`;
      if (record.state === 'left') return `lobby: left ${which}`;
      const players = record.players.map((p) => `${printable(p.userId, 40)}@${printable(p.allyTeam, 8)}${p.isReady ? '*' : ''}`).join(', ');
      const bots = record.bots.length ? `, bots [${record.bots.map((b) => `${printable(b.shortName, 40)}@${printable(b.allyTeam, 8)}`).join(', ')}]` : '';
      return `lobby: in ${which} - players [${players}]${bots}${record.battle ? `, battle ${printable(record.battle.id, 40)} running` : ''}`;
    }
    case 'download':
      return `download: ${record.state} - ${record.type} ${printable(record.name, 200)}${record.why ? ` (${printable(record.why, 200)})` : ''}${record.state === 'done' ? `, ${record.bytesDone} bytes` : ''}${record.error ? ` - ${printable(record.error)}` : ''}`;
  }
}
