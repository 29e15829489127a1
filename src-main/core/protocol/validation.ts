// Checks envelopes and bodies against the tachyon-protocol package's compiled validators, reporting failing paths but never values.
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type * as TachyonValidators from 'tachyon-protocol/validators';
import type { CommandId } from './commands';

export type MessageType = 'request' | 'response' | 'event';

export type ValidationResult = { ok: true } | { ok: false; problem: string };

type ValidatorEntry = Partial<Record<MessageType, ValidateFunction<unknown>>>;
// The package's CommonJS build, on purpose: its ESM build binds the equality check behind `uniqueItems` (used by `roles`) to a
// module namespace object instead of the function, so every message with two or more roles made the validator throw.
const { validator } = createRequire(import.meta.url)('tachyon-protocol/validators') as typeof TachyonValidators;
const validators = validator as unknown as Record<string, ValidatorEntry | undefined>;

export function isKnownCommand(commandId: string): commandId is CommandId {
  return Object.prototype.hasOwnProperty.call(validators, commandId);
}

/** Whether the schema defines `commandId` with this message type at all (e.g. `user/self` has no request). */
export function hasSchema(commandId: string, type: MessageType): boolean {
  return isKnownCommand(commandId) && typeof validators[commandId]?.[type] === 'function';
}

/** Validates a whole message (envelope + data) against its command's schema. */
export function validateMessage(message: { type: MessageType; commandId: string }): ValidationResult {
  const fn = validators[message.commandId]?.[message.type];
  if (!fn) return { ok: false, problem: `no ${message.type} schema for command ${JSON.stringify(message.commandId.slice(0, 64))}` };
  let valid: boolean;
  try {
    valid = fn(message) as boolean;
  } catch {
    // A validator must never take the connection down: a message it cannot judge is an invalid message.
    return { ok: false, problem: 'the schema check could not judge this message' };
  }
  if (valid) return { ok: true };
  // ajv resets `errors` on the next call: read them now.
  return { ok: false, problem: describeErrors(fn.errors ?? []) };
}

/**
 * Turns ajv errors into a short text naming the failing paths and rules. ajv's messages describe the schema
 * ("must be integer", "must match pattern ...") and never quote the instance, so no value leaks out.
 */
export function describeErrors(errors: readonly ErrorObject[]): string {
  const parts: string[] = [];
  for (const err of errors) {
    if (err.keyword === 'anyOf' || err.keyword === 'oneOf') continue; // the branch errors say more
    let text = `${err.instancePath || '/'} ${err.message ?? err.keyword}`;
    if (err.keyword === 'additionalProperties' || err.keyword === 'required') {
      const prop = (err.params as { missingProperty?: string; additionalProperty?: string });
      const name = prop.missingProperty ?? prop.additionalProperty;
      if (name !== undefined) text = `${err.instancePath || '/'} ${err.keyword}: ${safeName(name)}`;
    }
    if (!parts.includes(text)) parts.push(text);
    if (parts.length >= 8) break;
  }
  return parts.join('; ') || 'does not match the schema';
}

function safeName(name: string): string {
  return /^[A-Za-z0-9_]{1,64}$/.test(name) ? name : '(property)';
}
