// `npm run engine:test-content -- <dir> [--format sdd|sdz] [--game-over-frame n]`: writes the tiny test game and map.
import { parseArgs } from 'node:util';
import { DEFAULT_GAME_OVER_FRAME, writeTestContent } from '../core/engine/test-content';

const usage = 'usage: npm run engine:test-content -- <dir> [--format sdd|sdz] [--game-over-frame <frames, 30 a second>]';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'sdd' },
      'game-over-frame': { type: 'string', default: String(DEFAULT_GAME_OVER_FRAME) },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const dir = positionals[0];
  if (values.help || dir === undefined || positionals.length > 1) {
    console.error(usage);
    return values.help ? 0 : 2;
  }
  if (values.format !== 'sdd' && values.format !== 'sdz') {
    console.error(`--format must be sdd or sdz\n${usage}`);
    return 2;
  }
  const content = await writeTestContent(dir, { format: values.format, gameOverFrame: Number(values['game-over-frame']) });
  console.log(`wrote game "${content.gameName}" to ${content.gamePath}`);
  console.log(`wrote map "${content.mapName}" to ${content.mapPath}`);
  console.log(`use it with the engine's --isolation-dir ${content.dir} (and SPRING_DATADIR=/usr/share/games/spring)`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
