// A lobby's votes as Teiserver runs them (`new_vote` in `lib/teiserver/tachyon_lobby/lobby.ex`): one at a time, the human
// players voting, and the last finished ones kept. Part of `LobbyRoom` (`lobby-state.ts`), which carries out what passes.
import type { VoteAction, VoteOutcome } from '../protocol/schemas/lobby-details';
import type { LobbyView } from './lobby-patch';
import { refuse, type LobbyEffect } from './lobby-rules';

/** How long a vote runs (Teiserver: 60 s). */
export const VOTE_DURATION_MS = 60_000;
/** Finished votes a lobby shows (Teiserver keeps 10). */
const VOTE_HISTORY = 10;

export type Ballot = 'yes' | 'no' | 'abstain';

interface Vote {
  readonly id: string;
  readonly action: VoteAction;
  readonly initiator: string;
  readonly voters: Map<string, 'pending' | Ballot>;
  /** Microseconds since the epoch, as the protocol's times are. */
  readonly until: number;
  readonly quorum: number;
  readonly majority: number;
}

export class LobbyVotes {
  private voteCounter = 1;
  private vote: Vote | null = null;
  private readonly history = new Map<string, { vote: VoteAction; outcome: VoteOutcome; finishedAt: number }>();

  constructor(private readonly nowUs: () => number, private readonly effects: LobbyEffect[]) {}

  /** The running vote's action, or null. */
  get action(): VoteAction | null {
    return this.vote?.action ?? null;
  }

  get id(): string | null {
    return this.vote?.id ?? null;
  }

  /**
   * Teiserver's `new_vote`: the `voters` (the human players) vote, the initiator's yes counted; an absolute majority both
   * to decide (quorum) and to pass. One vote at a time: a second is refused while one runs.
   */
  start(initiator: string, action: VoteAction, voters: readonly string[]): void {
    if (this.vote) throw refuse('vote_in_progress');
    const ballots = new Map<string, 'pending' | Ballot>();
    for (const userId of voters) ballots.set(userId, userId === initiator ? 'yes' : 'pending');
    const quorum = Math.ceil(ballots.size * 0.501);
    const id = `vote-${this.voteCounter++}`;
    this.vote = { id, action, initiator, voters: ballots, until: this.nowUs() + VOTE_DURATION_MS * 1000, quorum, majority: quorum };
    this.effects.push({ type: 'voteStarted', voteId: id, durationMs: VOTE_DURATION_MS });
  }

  /** `lobby/voteSubmit`: the action to carry out when this ballot passed the vote, else null. */
  submit(userId: string, voteId: string, ballot: Ballot): VoteAction | null {
    if (!this.vote || this.vote.id !== voteId || !this.vote.voters.has(userId)) throw refuse('invalid_vote');
    return this.cast(userId, ballot);
  }

  /** Counts a ballot if `userId` votes; the action to carry out when the vote passed, else null. */
  cast(userId: string, ballot: Ballot): VoteAction | null {
    const vote = this.vote;
    if (!vote || !vote.voters.has(userId)) return null;
    vote.voters.set(userId, ballot);
    const ballots = [...vote.voters.values()];
    if (ballots.filter((b) => b !== 'pending').length < vote.quorum) return null;
    const passed = ballots.filter((b) => b === 'yes').length >= vote.majority;
    this.end(passed ? 'passed' : 'failed');
    return passed ? vote.action : null;
  }

  /** The vote's time is up (a timer of the service, named by the vote's id so a late one is ignored). */
  timedOut(voteId: string): void {
    if (this.vote?.id === voteId) this.end('timeout');
  }

  end(outcome: VoteOutcome): void {
    const vote = this.vote;
    if (!vote) return;
    this.vote = null;
    this.history.set(vote.id, { vote: vote.action, outcome, finishedAt: this.nowUs() });
    while (this.history.size > VOTE_HISTORY) this.history.delete(this.history.keys().next().value as string);
    this.effects.push({ type: 'voteEnded', voteId: vote.id, outcome });
  }

  historyView(): LobbyView['voteHistory'] {
    return Object.fromEntries([...this.history].map(([id, r]) => [id, { vote: structuredClone(r.vote), outcome: r.outcome, finishedAt: r.finishedAt }]));
  }

  currentView(): LobbyView['currentVote'] {
    if (!this.vote) return undefined;
    return {
      id: this.vote.id, action: structuredClone(this.vote.action), initiator: this.vote.initiator,
      voters: Object.fromEntries([...this.vote.voters].map(([id, vote]) => [id, { vote }])),
      until: this.vote.until, quorum: this.vote.quorum, majority: this.vote.majority,
    };
  }
}
