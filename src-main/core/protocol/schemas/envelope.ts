// Builders for the three Tachyon message envelopes (request, response, event) around a command's data, so each of our schemas
// declares only its data and failure reasons. The shapes follow the Tachyon protocol's schema files: `type`, `messageId` and
// `commandId` always required, `data` required when the command has data, a response either `success` (with its data) or
// `failed` with a `reason` from the command's list plus the four every request may fail with, and an optional `details` text.
import { Type, type TSchema } from 'typebox';

/** Reasons any request may fail with (Tachyon protocol docs, "Failed responses"). */
export const COMMON_FAILURE_REASONS = ['internal_error', 'unauthorized', 'invalid_request', 'command_unimplemented'] as const;

export function requestSchema<C extends string, D extends TSchema>(commandId: C, data: D) {
  return Type.Object({ type: Type.Literal('request'), messageId: Type.String(), commandId: Type.Literal(commandId), data });
}

export function requestSchemaWithoutData<C extends string>(commandId: C) {
  return Type.Object({ type: Type.Literal('request'), messageId: Type.String(), commandId: Type.Literal(commandId) });
}

export function eventSchema<C extends string, D extends TSchema>(commandId: C, data: D) {
  return Type.Object({ type: Type.Literal('event'), messageId: Type.String(), commandId: Type.Literal(commandId), data });
}

export function eventSchemaWithoutData<C extends string>(commandId: C) {
  return Type.Object({ type: Type.Literal('event'), messageId: Type.String(), commandId: Type.Literal(commandId) });
}

function failedSchema<C extends string, R extends string>(commandId: C, reasons: readonly R[]) {
  const all = [...reasons, ...COMMON_FAILURE_REASONS] as (R | (typeof COMMON_FAILURE_REASONS)[number])[];
  return Type.Object({
    type: Type.Literal('response'),
    messageId: Type.String(),
    commandId: Type.Literal(commandId),
    status: Type.Literal('failed'),
    // Typed by hand: a union built from an array loses its members' literal types.
    reason: Type.Unsafe<R | (typeof COMMON_FAILURE_REASONS)[number]>(Type.Union(all.map((r) => Type.Literal(r)))),
    details: Type.Optional(Type.String()),
  });
}

export function responseSchema<C extends string, D extends TSchema, R extends string>(commandId: C, data: D, reasons: readonly R[]) {
  const ok = Type.Object({ type: Type.Literal('response'), messageId: Type.String(), commandId: Type.Literal(commandId), status: Type.Literal('success'), data });
  return Type.Union([ok, failedSchema(commandId, reasons)]);
}

export function responseSchemaWithoutData<C extends string, R extends string>(commandId: C, reasons: readonly R[]) {
  const ok = Type.Object({ type: Type.Literal('response'), messageId: Type.String(), commandId: Type.Literal(commandId), status: Type.Literal('success') });
  return Type.Union([ok, failedSchema(commandId, reasons)]);
}
