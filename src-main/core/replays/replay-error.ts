// The one error the replay reader throws: a stable code for programs, a message fit for the player.

export type ReplayErrorCode = 'not_a_demo' | 'unsupported_version' | 'truncated' | 'corrupt' | 'too_large';

export class ReplayError extends Error {
  override readonly name = 'ReplayError';
  constructor(
    readonly code: ReplayErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The message of a file whose declared sizes run past its end: the engine fills a demo only when the game ends. */
export const TRUNCATED_MESSAGE = 'the demo is still being written or truncated';
