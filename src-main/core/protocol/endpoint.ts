// One side of a Tachyon conversation over any text transport: request correlation, answering the peer's requests, events, and validation both ways.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log';
import { redactedJson } from './redact';
import { hasSchema, isKnownCommand, schemaCheck, validateMessage, type MessageType, type SchemaSet } from './validation';
import type {
  AnyEvent, AnyResponse, EventCommandId, EventData, FailureReason, RequestCommandId, RequestData, RequestOf, ResponseOf, SuccessData,
} from './commands';

/** A request the peer answered with `failed`. */
export class RequestFailedError extends Error {
  constructor(readonly commandId: string, readonly reason: string, readonly details?: string) {
    super(`${commandId} failed: ${reason}${details ? ` (${details})` : ''}`);
    this.name = 'RequestFailedError';
  }
}

/** Why a request got no answer, as data: callers branch on this, never on the message text. */
export type RequestAbortCause =
  | 'timeout' // no answer within the request timeout
  | 'closed' // the connection closed before the answer, or before the request could be sent
  | 'overloaded' // not sent: too many requests already waiting for an answer
  | 'invalid_answer'; // the answer broke the schema or named another command

/** A request that got no answer: timeout, socket closed, too many in flight, or an invalid answer. */
export class RequestAbortedError extends Error {
  constructor(readonly commandId: string, override readonly cause: RequestAbortCause, message: string) {
    super(`${commandId}: ${message}`);
    this.name = 'RequestAbortedError';
  }
}

/** We tried to send something the schema forbids: a bug on our side, never sent. */
export class OutboundSchemaError extends Error {
  constructor(readonly commandId: string, readonly problem: string) {
    super(`refusing to send invalid ${commandId}: ${problem}`);
    this.name = 'OutboundSchemaError';
  }
}

/** Thrown by a request handler to answer `failed` with a specific reason. */
export class FailWith<C extends RequestCommandId = RequestCommandId> extends Error {
  constructor(readonly reason: FailureReason<C>, readonly details?: string) {
    super(`failed: ${String(reason)}`);
    this.name = 'FailWith';
  }
}

export type RequestHandler<C extends RequestCommandId> = (data: RequestData<C>, request: RequestOf<C>) => Promise<SuccessData<C>> | SuccessData<C>;

export interface EndpointCounters {
  received: number;
  sent: number;
  invalidInbound: number;
  unparseable: number;
  unknownResponses: number;
  unknownCommands: number;
}

export interface EndpointOptions {
  /** Puts one text frame on the wire. */
  send: (text: string) => void;
  /** Ends the connection for a protocol violation (close code 1008 on WebSockets). */
  closeForViolation: (reason: string) => void;
  logger: Logger;
  requestTimeoutMs?: number;
  maxPendingRequests?: number;
  /** The schemas both directions are checked against: the embedded server speaks `current`, a client accepts `either` (validation.ts). */
  schemas?: SchemaSet;
  newMessageId?: () => string;
}

interface PendingRequest {
  commandId: RequestCommandId;
  resolve: (response: AnyResponse) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const MESSAGE_TYPES: ReadonlySet<string> = new Set(['request', 'response', 'event']);

export class TachyonEndpoint {
  readonly counters: EndpointCounters = { received: 0, sent: 0, invalidInbound: 0, unparseable: 0, unknownResponses: 0, unknownCommands: 0 };
  private readonly pending = new Map<string, PendingRequest>();
  private readonly handlers = new Map<string, RequestHandler<RequestCommandId>>();
  private readonly eventListeners = new Set<(event: AnyEvent) => void>();
  private readonly violationListeners = new Set<(problem: string) => void>();
  private closedError: Error | null = null;
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private readonly newMessageId: () => string;
  private readonly schemas: SchemaSet;

  constructor(private readonly options: EndpointOptions) {
    this.timeoutMs = options.requestTimeoutMs ?? 15_000;
    this.maxPending = options.maxPendingRequests ?? 1_000;
    this.newMessageId = options.newMessageId ?? randomUUID;
    this.schemas = options.schemas ?? 'either';
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Sends a request and resolves with the peer's response, success or failed. */
  request<C extends RequestCommandId>(commandId: C, ...args: RequestData<C> extends undefined ? [data?: RequestData<C>] : [data: RequestData<C>]): Promise<ResponseOf<C>> {
    const data = args[0];
    if (this.closedError) return Promise.reject(new RequestAbortedError(commandId, 'closed', `not sent: ${this.closedError.message}`));
    if (this.pending.size >= this.maxPending) {
      return Promise.reject(new RequestAbortedError(commandId, 'overloaded', `not sent: ${this.maxPending} requests already waiting for an answer`));
    }
    const messageId = this.newMessageId();
    const message: Record<string, unknown> = { type: 'request', messageId, commandId };
    if (data !== undefined) message.data = data;
    this.sendChecked(message as { type: MessageType; commandId: string });
    return new Promise<ResponseOf<C>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(messageId);
        reject(new RequestAbortedError(commandId, 'timeout', `no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      timer.unref?.();
      this.pending.set(messageId, { commandId, resolve: resolve as (r: AnyResponse) => void, reject, timer });
    });
  }

  /** Sends a request and resolves with its success data; a `failed` answer rejects with RequestFailedError. */
  async call<C extends RequestCommandId>(commandId: C, ...args: RequestData<C> extends undefined ? [data?: RequestData<C>] : [data: RequestData<C>]): Promise<SuccessData<C>> {
    const response = (await this.request(commandId, ...args)) as AnyResponse;
    if (response.status === 'success') return ('data' in response ? response.data : undefined) as SuccessData<C>;
    throw new RequestFailedError(commandId, response.reason, 'details' in response ? response.details : undefined);
  }

  sendEvent<C extends EventCommandId>(commandId: C, ...args: EventData<C> extends undefined ? [] : [data: EventData<C>]): void {
    const message: Record<string, unknown> = { type: 'event', messageId: this.newMessageId(), commandId };
    if (args.length > 0) message.data = args[0];
    this.sendChecked(message as { type: MessageType; commandId: string });
  }

  /** Registers the answer to a request the peer may send us. Unregistered commands are answered `command_unimplemented`. */
  handle<C extends RequestCommandId>(commandId: C, handler: RequestHandler<C>): void {
    this.handlers.set(commandId, handler as unknown as RequestHandler<RequestCommandId>);
  }

  onEvent(listener: (event: AnyEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Called with a short description each time the peer breaks the protocol (dropped, refused or unparseable message). */
  onViolation(listener: (problem: string) => void): () => void {
    this.violationListeners.add(listener);
    return () => this.violationListeners.delete(listener);
  }

  /** Feeds one inbound text frame. Never throws for anything the peer sends. */
  receive(text: string): void {
    this.counters.received++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.counters.unparseable++;
      this.options.logger.warn('closing: received a frame that is not JSON');
      this.reportViolation('a frame that is not JSON');
      this.options.closeForViolation('unparseable JSON');
      return;
    }
    this.receiveParsed(parsed);
  }

  /** Rejects everything still waiting; later requests fail at once. */
  close(reason: Error): void {
    this.closedError = reason;
    for (const [messageId, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(messageId);
      pending.reject(new RequestAbortedError(pending.commandId, 'closed', `connection closed before an answer (${reason.message})`));
    }
  }

  private receiveParsed(parsed: unknown): void {
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return this.dropInvalid('message is not a JSON object');
    const envelope = parsed as Record<string, unknown>;
    const { type, messageId, commandId } = envelope;
    if (typeof type !== 'string' || !MESSAGE_TYPES.has(type) || typeof messageId !== 'string' || typeof commandId !== 'string') {
      return this.dropInvalid('message has no valid type/messageId/commandId envelope');
    }
    if (type === 'response') return this.receiveResponse(envelope, messageId, commandId);
    if (type === 'request') {
      void this.receiveRequest(envelope, messageId, commandId);
      return;
    }
    this.receiveEvent(envelope, commandId);
  }

  private receiveResponse(envelope: Record<string, unknown>, messageId: string, commandId: string): void {
    const pending = this.pending.get(messageId);
    if (!pending) {
      this.counters.unknownResponses++;
      this.options.logger.warn(`dropped a ${describeCommand(commandId)} response to a request we never made (or that timed out)`);
      return;
    }
    this.pending.delete(messageId);
    clearTimeout(pending.timer);
    if (commandId !== pending.commandId) {
      this.dropInvalid(`response to ${pending.commandId} carried commandId ${describeCommand(commandId)}`);
      pending.reject(new RequestAbortedError(pending.commandId, 'invalid_answer', 'the server answered with a mismatched commandId'));
      return;
    }
    const check = validateMessage(envelope as { type: MessageType; commandId: string }, this.schemas);
    if (!check.ok) {
      this.dropInvalid(`invalid ${commandId} response: ${check.problem}`);
      pending.reject(new RequestAbortedError(pending.commandId, 'invalid_answer', `the server's answer broke the protocol schema (${check.problem})`));
      return;
    }
    pending.resolve(envelope as unknown as AnyResponse);
  }

  private async receiveRequest(envelope: Record<string, unknown>, messageId: string, commandId: string): Promise<void> {
    const handler = this.handlers.get(commandId);
    if (!hasSchema(commandId, 'request', this.schemas) || !handler) {
      this.counters.unknownCommands++;
      if (!hasSchema(commandId, 'request', this.schemas)) this.reportViolation(`unknown request ${describeCommand(commandId)}`);
      this.options.logger.warn(`answered command_unimplemented to a ${describeCommand(commandId)} request`);
      return this.answerFailed(messageId, commandId, 'command_unimplemented', `this client does not implement ${describeCommand(commandId)}`, false);
    }
    const check = validateMessage(envelope as { type: MessageType; commandId: string }, this.schemas);
    if (!check.ok) {
      this.counters.invalidInbound++;
      this.options.logger.warn(`answered invalid_request to ${commandId}: ${check.problem}`);
      this.reportViolation(`invalid ${commandId} request: ${check.problem}`);
      return this.answerFailed(messageId, commandId, 'invalid_request', check.problem, true);
    }
    let data: unknown;
    try {
      data = await handler(envelope.data as never, envelope as never);
    } catch (error) {
      if (error instanceof FailWith) return this.answerFailed(messageId, commandId, String(error.reason), error.details, true);
      this.options.logger.error(`${commandId} handler failed: ${error instanceof Error ? error.message : String(error)}`);
      return this.answerFailed(messageId, commandId, 'internal_error', undefined, true);
    }
    const response: Record<string, unknown> = { type: 'response', messageId, commandId, status: 'success' };
    if (data !== undefined) response.data = data;
    if (!this.trySend(response)) this.answerFailed(messageId, commandId, 'internal_error', undefined, true);
  }

  private answerFailed(messageId: string, commandId: string, reason: string, details: string | undefined, validate: boolean): void {
    const response: Record<string, unknown> = { type: 'response', messageId, commandId, status: 'failed', reason };
    if (details !== undefined) response.details = details;
    if (!validate) {
      this.rawSend(response);
      return;
    }
    if (!this.trySend(response)) {
      // Our own answer broke the schema (e.g. a reason this command does not allow): fall back to the one always valid.
      this.rawSend({ type: 'response', messageId, commandId, status: 'failed', reason: 'internal_error' });
    }
  }

  private receiveEvent(envelope: Record<string, unknown>, commandId: string): void {
    const check = schemaCheck(commandId, 'event', this.schemas);
    if (!check) {
      this.counters.unknownCommands++;
      return this.dropInvalid(`unknown event ${describeCommand(commandId)}`);
    }
    const verdict = check(envelope);
    if (!verdict.ok) return this.dropInvalid(`invalid ${commandId} event: ${verdict.problem}`);
    for (const listener of this.eventListeners) {
      try {
        listener(envelope as unknown as AnyEvent);
      } catch (error) {
        this.options.logger.error(`${commandId} event listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private dropInvalid(problem: string): void {
    this.counters.invalidInbound++;
    this.options.logger.warn(`dropped: ${problem}`);
    this.reportViolation(problem);
  }

  private reportViolation(problem: string): void {
    for (const listener of this.violationListeners) listener(problem);
  }

  private sendChecked(message: { type: MessageType; commandId: string }): void {
    const check = validateMessage(message, this.schemas);
    if (!check.ok) throw new OutboundSchemaError(message.commandId, check.problem);
    this.rawSend(message);
  }

  private trySend(message: Record<string, unknown>): boolean {
    const check = validateMessage(message as { type: MessageType; commandId: string }, this.schemas);
    if (!check.ok) {
      this.options.logger.error(`not sending invalid ${String(message.commandId)} ${String(message.type)}: ${check.problem} ${redactedJson(message)}`);
      return false;
    }
    this.rawSend(message);
    return true;
  }

  private rawSend(message: object): void {
    this.counters.sent++;
    this.options.send(JSON.stringify(message));
  }
}

/** A command id safe to put in a log line, whatever the peer sent. */
function describeCommand(commandId: string): string {
  return isKnownCommand(commandId) ? commandId : JSON.stringify(commandId.slice(0, 64));
}
