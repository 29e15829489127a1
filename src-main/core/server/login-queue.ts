// Teiserver's login queue, as a test option of the embedded server: accepted player sockets wait here, are sent nothing, and
// have every request answered `invalid_request` "waiting for login" until they are admitted with their one `user/self`.
import { WebSocket } from 'ws';

interface Waiting {
  readonly userId: string;
  readonly socket: WebSocket;
  readonly admit: () => void;
}

export class LoginQueue {
  private readonly waiting = new Set<Waiting>();

  get size(): number {
    return this.waiting.size;
  }

  /** Holds the socket until `admit(userId)`; returns the check its frames go through while it waits. */
  hold(userId: string, socket: WebSocket, admit: () => void): { readonly waiting: () => boolean; readonly leave: () => boolean } {
    const entry: Waiting = { userId, socket, admit };
    this.waiting.add(entry);
    return { waiting: () => this.waiting.has(entry), leave: () => this.waiting.delete(entry) };
  }

  /** Lets the player's sockets in, oldest first; returns how many. */
  admit(userId: string): number {
    const admitted = [...this.waiting].filter((w) => w.userId === userId);
    for (const entry of admitted) {
      this.waiting.delete(entry);
      entry.admit();
    }
    return admitted.length;
  }

  count(userId: string): number {
    return [...this.waiting].filter((w) => w.userId === userId).length;
  }

  sockets(): WebSocket[] {
    return [...this.waiting].map((w) => w.socket);
  }
}

/** Teiserver's answer to every request from a socket in its login queue; events and answers are ignored. */
export function answerWaitingForLogin(socket: WebSocket, text: string): void {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    socket.close(1008, 'Invalid json sent');
    return;
  }
  const { type, messageId, commandId } = (message ?? {}) as Record<string, unknown>;
  if (type !== 'request' || typeof messageId !== 'string' || typeof commandId !== 'string' || socket.readyState !== WebSocket.OPEN) return;
  socket.send(JSON.stringify({ type: 'response', messageId, commandId, status: 'failed', reason: 'invalid_request', details: 'waiting for login' }));
}
