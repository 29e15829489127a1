// What the headless client does in a custom lobby (--lobby-create, --lobby-join, --lobby-bot, --lobby-start-when): a plan,
// and from the lobby state each time it changes the next requests to make, each made once. Pure: headless.ts runs the steps.
import type { LobbiesView, LobbyRoomView } from '../core/lobby/state';
import type { CreateLobbyParams } from '../core/lobby/intents';

export interface LobbyPlan {
  readonly create?: { readonly name: string; readonly mapName: string };
  /** A lobby's id, or its name as the list shows it. */
  readonly join?: string;
  /** AI short names: each a bot on the other ally team. */
  readonly bots: readonly string[];
  /** The creator starts the battle once this many players are on the lobby's teams. */
  readonly startWhen?: number;
  /** Ready up once seated. */
  readonly autoReady: boolean;
}

export type LobbyStep =
  | { readonly kind: 'watch' }
  | { readonly kind: 'unwatch' }
  | { readonly kind: 'create'; readonly params: CreateLobbyParams }
  | { readonly kind: 'join'; readonly lobbyId: string }
  | { readonly kind: 'seat'; readonly allyTeam: string }
  | { readonly kind: 'bot'; readonly allyTeam: string; readonly shortName: string }
  | { readonly kind: 'ready' }
  | { readonly kind: 'start' };

export interface LobbyScene {
  readonly signedIn: boolean;
  readonly selfId: string | null;
  readonly lobbies: LobbiesView;
  readonly lobby: LobbyRoomView | null;
}

/** The lobby in the list this names: its id, else the one lobby of that exact name, else the one of that name in any case. */
export function findLobby(lobbies: LobbiesView, wanted: string): string | null {
  const entries = Object.values(lobbies.entries);
  if (Object.hasOwn(lobbies.entries, wanted)) return wanted;
  const exact = entries.filter((l) => l.name === wanted);
  if (exact.length === 1) return exact[0]?.id ?? null;
  const folded = entries.filter((l) => l.name.toLowerCase() === wanted.toLowerCase());
  return folded.length === 1 ? folded[0]?.id ?? null : null;
}

/** Players and bots seated on each ally team, against its room (each team holds its players, one per team here). */
function freePlaces(room: LobbyRoomView): Map<string, number> {
  const free = new Map<string, number>();
  for (const at of room.allyTeams) free.set(at.id, at.teams.reduce((sum, t) => sum + t.maxPlayers, 0));
  for (const seat of [...Object.values(room.players), ...Object.values(room.bots)]) {
    const left = free.get(seat.allyTeam);
    if (left !== undefined) free.set(seat.allyTeam, left - 1);
  }
  return free;
}

/** How often a refused join, seat, ready or start is tried again. */
const RETRIES = 3;

export class HeadlessLobbyDriver {
  private readonly done = new Set<string>();
  private created = false;

  constructor(private readonly plan: LobbyPlan) {}

  /** Whether the plan asks for anything in a lobby at all. */
  get active(): boolean {
    return this.plan.create !== undefined || this.plan.join !== undefined;
  }

  private readonly failures = new Map<string, number>();

  /**
   * A step that failed may be tried again when the state next changes (a join whose lobby was full, a start refused), up to
   * RETRIES times, so a refusal that will not change (a ban) does not repeat with every update.
   */
  retry(step: LobbyStep): void {
    if (step.kind !== 'start' && step.kind !== 'seat' && step.kind !== 'ready' && step.kind !== 'join') return;
    const failed = (this.failures.get(step.kind) ?? 0) + 1;
    this.failures.set(step.kind, failed);
    if (failed <= RETRIES) this.done.delete(step.kind);
  }

  private once(key: string, step: LobbyStep, out: LobbyStep[]): void {
    if (this.done.has(key)) return;
    this.done.add(key);
    out.push(step);
  }

  steps(scene: LobbyScene): LobbyStep[] {
    const out: LobbyStep[] = [];
    if (!scene.signedIn || !this.active) return out;
    const room = scene.lobby;
    const { create, join } = this.plan;
    if (!room) {
      if (this.done.has('entered')) return out; // we were in it and are not: nothing more to do
      if (create) {
        const players = Math.max(1, this.plan.startWhen ?? 1);
        const teamSize = Math.max(1, Math.ceil((players + this.plan.bots.length) / 2));
        this.once('create', { kind: 'create', params: { name: create.name, mapName: create.mapName, allyTeams: 2, teamSize, bossesEnabled: false } }, out);
        this.created = true;
      } else if (join) {
        this.once('watch', { kind: 'watch' }, out);
        const id = scene.lobbies.loaded ? findLobby(scene.lobbies, join) : null;
        if (id !== null) this.once('join', { kind: 'join', lobbyId: id }, out);
      }
      return out;
    }
    this.done.add('entered');
    if (this.done.has('watch')) this.once('unwatch', { kind: 'unwatch' }, out);
    const selfId = scene.selfId;
    if (selfId === null) return out;
    const mine = room.players[selfId];
    const free = freePlaces(room);
    if (!mine) {
      // Teiserver seats a joiner as a spectator: take the side with the most room, if any has some.
      const best = [...free.entries()].sort((a, b) => b[1] - a[1])[0];
      if (best && best[1] > 0) this.once('seat', { kind: 'seat', allyTeam: best[0] }, out);
      return out;
    }
    const other = room.allyTeams.find((at) => at.id !== mine.allyTeam)?.id;
    if (other !== undefined) this.plan.bots.forEach((shortName, i) => this.once(`bot:${i}`, { kind: 'bot', allyTeam: other, shortName }, out));
    if (this.plan.autoReady && !mine.isReady) this.once('ready', { kind: 'ready' }, out);
    const wanted = this.plan.startWhen;
    // Only with every bot in: the battle takes the lobby as it is when it starts.
    const ready = Object.keys(room.players).length >= (wanted ?? Infinity) && Object.keys(room.bots).length >= this.plan.bots.length;
    if (this.created && ready && room.battle === null) this.once('start', { kind: 'start' }, out);
    return out;
  }
}
