// Main checks every payload against contract/payload-schemas.json (no TypeBox on its start path): the file must say exactly
// what the TypeBox declarations in contract/payloads.ts say, name every intent, and compile in ajv's strict mode.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { payloadSchemasFile } from '../../src-main/contract/payloads';
import { INTENT_NAMES } from '../../src-main/contract';

const file = JSON.parse(readFileSync(new URL('../../src-main/contract/payload-schemas.json', import.meta.url), 'utf8')) as Record<string, object>;

describe('contract/payload-schemas.json', () => {
  it('is what the declarations give (run `npm run schemas` after changing one)', () => {
    expect(file).toEqual(payloadSchemasFile());
  });

  it('holds a schema for exactly the contract\'s intents, each compiling in strict mode', () => {
    expect(Object.keys(file).sort()).toEqual([...INTENT_NAMES].sort());
    const ajv = new Ajv({ strict: true });
    for (const [name, schema] of Object.entries(file)) expect(() => ajv.compile(schema), name).not.toThrow();
  });
});
