// The lobby loads the current revision's schemas from schemas/current-revision.json (no TypeBox on its start path): the
// file must say exactly what the TypeBox declarations say, and every schema in it must compile in ajv's strict mode.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { currentRevisionFile, type CurrentRevisionFile } from '../../src-main/core/protocol/schemas/index';

const file = JSON.parse(readFileSync(new URL('../../src-main/core/protocol/schemas/current-revision.json', import.meta.url), 'utf8')) as CurrentRevisionFile;

describe('schemas/current-revision.json', () => {
  it('is what the declarations give (run `npm run schemas` after changing one)', () => {
    expect(file).toEqual(currentRevisionFile());
  });

  it('compiles every schema in strict mode', () => {
    const ajv = new Ajv({ strict: true });
    for (const { commandId, type, schema } of file.schemas) {
      expect(() => ajv.compile(schema as object), `${commandId} ${type}`).not.toThrow();
    }
    expect(file.schemas.length).toBeGreaterThan(50);
  });
});
