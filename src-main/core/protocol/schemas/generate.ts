// `npm run schemas`: writes current-revision.json from the TypeBox declarations in this folder. The lobby loads that file at
// run time, so neither TypeBox (about 20 MB and a quarter of a second to load) nor the declarations are on its start path;
// test/core/protocol-schemas-file.test.ts fails when the file and the declarations disagree.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { currentRevisionFile } from './index';

const target = fileURLToPath(new URL('./current-revision.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(currentRevisionFile(), null, 1)}\n`);
process.stdout.write(`wrote ${target}\n`);
