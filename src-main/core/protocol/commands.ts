// Type-level view of the Tachyon command set a side may meet: which commands exist for each direction, and their data shapes.
// A command whose shape changed after 1.13.0 has both shapes here (the package's and the current revision's), so code that
// talks to a server of either revision narrows on what it got; validation.ts decides which shapes a side accepts.
import type { TachyonCommand as PackageCommand } from 'tachyon-protocol/types';
import type { CurrentRevisionMessage } from './schemas/index';

export type TachyonCommand = PackageCommand | CurrentRevisionMessage;
export type CommandId = TachyonCommand['commandId'];
export type AnyRequest = Extract<TachyonCommand, { type: 'request' }>;
export type AnyResponse = Extract<TachyonCommand, { type: 'response' }>;
export type AnyEvent = Extract<TachyonCommand, { type: 'event' }>;

export type RequestCommandId = AnyRequest['commandId'];
export type EventCommandId = AnyEvent['commandId'];

export type RequestOf<C extends RequestCommandId> = Extract<AnyRequest, { commandId: C }>;
export type ResponseOf<C extends RequestCommandId> = Extract<AnyResponse, { commandId: C }>;
export type EventOf<C extends EventCommandId> = Extract<AnyEvent, { commandId: C }>;

/** The `data` a request carries; `undefined` for commands that take none (optional data stays optional). */
export type RequestData<C extends RequestCommandId> = RequestDataOf<RequestOf<C>>;

// Distributive over a command's shapes, so a command of both revisions has the data of both.
type RequestDataOf<M> = M extends { data: infer D } ? D : M extends { data?: infer D } ? D | undefined : undefined;
type DataOf<M> = M extends { data: infer D } ? D : undefined;

export type SuccessResponseOf<C extends RequestCommandId> = Extract<ResponseOf<C>, { status: 'success' }>;
export type FailedResponseOf<C extends RequestCommandId> = Extract<ResponseOf<C>, { status: 'failed' }>;
export type SuccessData<C extends RequestCommandId> = DataOf<SuccessResponseOf<C>>;
export type FailureReason<C extends RequestCommandId> = FailedResponseOf<C>['reason'];
export type EventData<C extends EventCommandId> = DataOf<EventOf<C>>;

/** Reasons any request may fail with, besides its own (Tachyon protocol docs, "Failed responses"). */
export const COMMON_FAILURE_REASONS = ['internal_error', 'unauthorized', 'invalid_request', 'command_unimplemented'] as const;
export type CommonFailureReason = (typeof COMMON_FAILURE_REASONS)[number];

/** The subprotocol we speak; the server must echo it exactly (Tachyon protocol docs, the WebSocket subprotocol `v0.tachyon`). */
export const TACHYON_SUBPROTOCOL = 'v0.tachyon';
