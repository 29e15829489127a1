// Part of `npm run schemas`: writes contract/payload-schemas.json from the TypeBox declarations in contract/payloads.ts. Main loads that file
// at run time, so TypeBox (about 20 MB and a quarter of a second to load) stays off the Electron main process's start path;
// test/contract/payload-schemas-file.test.ts fails when the file and the declarations disagree.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { payloadSchemasFile } from '../contract/payloads';

const target = fileURLToPath(new URL('../contract/payload-schemas.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(payloadSchemasFile(), null, 1)}\n`);
process.stdout.write(`wrote ${target}\n`);
