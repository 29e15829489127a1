// Checks envelopes and bodies against the schemas of a protocol revision, reporting failing paths but never values.
// Two schema sets exist. `current` is what Teiserver enforces today: the package's validators for every command that has
// not changed since 1.13.0, our own (schemas/) for those that have, and none for the commands it dropped. `either` accepts
// a message valid in the 1.13.0 package or in the current revision, so a client can talk to a server of either revision
// and learn which one it is from what it sends; a message that fits neither is still invalid.
// Our schemas come from schemas/current-revision.json (written from the TypeBox declarations by `npm run schemas`), and
// each is compiled the first time a message of its command is checked: most sessions never meet most commands.
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type * as TachyonValidators from 'tachyon-protocol/validators';
import type { CommandId } from './commands';
import currentRevisionJson from './schemas/current-revision.json' with { type: 'json' };
import type { CurrentRevisionFile, MessageType } from './schemas/index';

export type { MessageType } from './schemas/index';

/** Which schemas a side validates with: `current` (the real server's revision) or `either` (1.13.0 or current). */
export type SchemaSet = 'current' | 'either';

export type ValidationResult = { ok: true } | { ok: false; problem: string };

type Check = (message: unknown) => ValidationResult;
type CheckTable = Map<string, Partial<Record<MessageType, Check>>>;

// The package's CommonJS build, on purpose: its ESM build binds the equality check behind `uniqueItems` (used by `roles`) to a
// module namespace object instead of the function, so every message with two or more roles made the validator throw.
const { validator } = createRequire(import.meta.url)('tachyon-protocol/validators') as typeof TachyonValidators;
const packageValidators = validator as unknown as Record<string, Partial<Record<MessageType, ValidateFunction<unknown>>>>;
const currentRevision = currentRevisionJson as CurrentRevisionFile;

function checkWith(fn: ValidateFunction<unknown>): Check {
  return (message) => {
    let valid: boolean;
    try {
      valid = fn(message) as boolean;
    } catch {
      // A validator must never take the connection down: a message it cannot judge is an invalid message.
      return { ok: false, problem: 'the schema check could not judge this message' };
    }
    // ajv resets `errors` on the next call: read them now.
    return valid ? OK : { ok: false, problem: describeErrors(fn.errors ?? []) };
  };
}

const OK: ValidationResult = { ok: true };

function compiledOnFirstUse(ajv: Ajv, schema: unknown): Check {
  let check: Check | null = null;
  return (message) => {
    if (!check) {
      try {
        check = checkWith(ajv.compile(schema as object));
      } catch {
        // Never a crash on the connection's path; the schema test compiles every schema, so this is a bug caught there.
        return { ok: false, problem: 'the schema check could not judge this message' };
      }
    }
    return check(message);
  };
}

function buildTables(): Record<SchemaSet, CheckTable> {
  // No meta-schema check at run time: it doubles the cost of compiling a schema on the connection's path, and the schemas
  // file is ours, each schema compiled against the meta-schema by test/core/protocol-schemas-file.test.ts.
  const ajv = new Ajv({ strict: true, validateSchema: false });
  const legacy: CheckTable = new Map();
  for (const [commandId, entry] of Object.entries(packageValidators)) {
    const checks: Partial<Record<MessageType, Check>> = {};
    for (const type of ['request', 'response', 'event'] as const) {
      const fn = entry[type];
      if (fn) checks[type] = checkWith(fn);
    }
    legacy.set(commandId, checks);
  }
  const current: CheckTable = new Map([...legacy].map(([id, checks]) => [id, { ...checks }]));
  for (const id of currentRevision.removed) current.delete(id);
  for (const { commandId, type, schema } of currentRevision.schemas) {
    current.set(commandId, { ...current.get(commandId), [type]: compiledOnFirstUse(ajv, schema) });
  }
  const either: CheckTable = new Map([...legacy].map(([id, checks]) => [id, { ...checks }]));
  for (const [commandId, checks] of current) {
    const merged = { ...either.get(commandId) };
    for (const type of ['request', 'response', 'event'] as const) {
      const now = checks[type];
      const before = merged[type];
      if (!now || now === before) continue;
      merged[type] = before ? eitherOf(before, now) : now;
    }
    either.set(commandId, merged);
  }
  return { current, either };
}

/**
 * Valid in either revision; when neither fits, the current revision's complaint is the one worth reading. The revision that
 * judged the last message valid is asked first: a server speaks one, so a message is checked once, not twice.
 */
function eitherOf(legacy: Check, current: Check): Check {
  let currentFirst = false;
  return (message) => {
    if (currentFirst) {
      const now = current(message);
      if (now.ok) return OK;
      if (!legacy(message).ok) return now;
      currentFirst = false;
      return OK;
    }
    if (legacy(message).ok) return OK;
    const now = current(message);
    if (now.ok) currentFirst = true;
    return now;
  };
}

const tables = buildTables();

export function isKnownCommand(commandId: string, set: SchemaSet = 'either'): commandId is CommandId {
  return tables[set].has(commandId);
}

/** Whether the schema set defines `commandId` with this message type at all (e.g. `user/self` has no request). */
export function hasSchema(commandId: string, type: MessageType, set: SchemaSet = 'either'): boolean {
  return tables[set].get(commandId)?.[type] !== undefined;
}

/**
 * The check for one command and message type in a schema set, or undefined when the set has none: look it up once, then
 * call it (what `validateMessage` does in one step).
 */
export function schemaCheck(commandId: string, type: MessageType, set: SchemaSet = 'either'): ((message: unknown) => ValidationResult) | undefined {
  return tables[set].get(commandId)?.[type];
}

/** Validates a whole message (envelope + data) against its command's schema in the given set. */
export function validateMessage(message: { type: MessageType; commandId: string }, set: SchemaSet = 'either'): ValidationResult {
  const check = tables[set].get(message.commandId)?.[message.type];
  if (!check) return { ok: false, problem: `no ${message.type} schema for command ${JSON.stringify(message.commandId.slice(0, 64))}` };
  return check(message);
}

/**
 * Turns ajv errors into a short text naming the failing paths and rules. ajv's messages describe the schema
 * ("must be integer", "must match pattern ...") and never quote the instance, and the paths keep only the schema's own
 * names and array indices, so no value leaks out.
 */
export function describeErrors(errors: readonly ErrorObject[]): string {
  const parts: string[] = [];
  for (const err of errors) {
    if (err.keyword === 'anyOf' || err.keyword === 'oneOf') continue; // the branch errors say more
    const path = safePath(err);
    let text = `${path} ${err.message ?? err.keyword}`;
    if (err.keyword === 'additionalProperties' || err.keyword === 'required') {
      const prop = (err.params as { missingProperty?: string; additionalProperty?: string });
      const name = prop.missingProperty ?? prop.additionalProperty;
      if (name !== undefined) text = `${path} ${err.keyword}: ${safeName(name)}`;
    }
    if (!parts.includes(text)) parts.push(text);
    if (parts.length >= 8) break;
  }
  return parts.join('; ') || 'does not match the schema';
}

function safeName(name: string): string {
  return /^[A-Za-z0-9_]{1,64}$/.test(name) ? name : '(property)';
}

const INDEX = /^[0-9]{1,9}$/;

/**
 * The failing path with every key the message chose (an id in a record keyed by id) shown as `*`: "/data/bots/* required:
 * version". The schema path says which step went through a record; where it cannot be followed from the message's root
 * (a schema reached through a `$ref` restarts it), a step is shown only when it looks like a field name or an index.
 */
function safePath(err: ErrorObject): string {
  const segments = err.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (segments.length === 0) return '/';
  const shown = segments.map((s) => (INDEX.test(s) || /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(s) ? s : '*'));
  const tokens = err.schemaPath.startsWith('#/') ? err.schemaPath.slice(2).split('/') : [];
  let at = 0;
  walk: for (let k = 0; k < tokens.length && at < segments.length; k++) {
    switch (tokens[k]) {
      case 'properties':
        // A field of the schema's: shown as named. A mismatch means the walk lost its way: keep the cautious view.
        if (decodeToken(tokens[++k]) !== segments[at]) break walk;
        shown[at] = segments[at]!;
        at++;
        break;
      case 'patternProperties':
        k++;
        shown[at++] = '*';
        break;
      case 'additionalProperties':
        shown[at++] = '*';
        break;
      case 'items':
      case 'prefixItems':
        if (!INDEX.test(segments[at]!)) break walk;
        if (INDEX.test(tokens[k + 1] ?? '')) k++;
        at++;
        break;
      case 'anyOf':
      case 'oneOf':
      case 'allOf':
        k++;
        break;
      default:
        break; // a keyword that does not step into the message (type, required, const, ...)
    }
  }
  return `/${shown.join('/')}`;
}

function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    return decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~');
  } catch {
    return undefined;
  }
}
