// The skirmish AIs the player's engines can run as bots, published as the `skirmishAis` slice: listed at start and on request.
import { listSkirmishAis, type EngineRegistry } from '../engine';
import type { SkirmishAiView } from '../lobby/state';
import type { Logger } from '../log';

// A bot's AI appears once per short name and version; across engines the first engine's copy is shown.
const MAX_LISTED = 256;
const MAX_PROBLEMS_LOGGED = 20;

export class SkirmishAiCatalog {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly registry: EngineRegistry | Promise<EngineRegistry>,
    private readonly publish: (value: readonly SkirmishAiView[]) => void,
    private readonly logger: Logger,
  ) {}

  /**
   * Reads every engine's AI folders and publishes what it finds. Calls during a read share one more read after it, so
   * files changed meanwhile are seen and a burst of requests costs two reads at most.
   */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<void> => {
      do {
        this.again = false;
        await this.readOnce();
      } while (this.again);
    };
    this.running = run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async readOnce(): Promise<void> {
    const registry = await this.registry;
    const byId = new Map<string, SkirmishAiView & { engineVersions: string[] }>();
    const problems: string[] = [];
    for (const engine of registry.engines) {
      const listing = await listSkirmishAis(engine.aiDataDirs ?? []);
      problems.push(...listing.problems);
      for (const ai of listing.ais) {
        const id = `${ai.shortName}\n${ai.version}`;
        const known = byId.get(id);
        if (known) known.engineVersions.push(engine.version);
        else if (byId.size < MAX_LISTED) {
          // The view only: no folder paths (they name the OS user) leave the core.
          byId.set(id, { shortName: ai.shortName, version: ai.version, name: ai.name, description: ai.description, options: ai.options, engineVersions: [engine.version] });
        }
      }
    }
    for (const problem of problems.slice(0, MAX_PROBLEMS_LOGGED)) this.logger.warn(`skipped a skirmish AI: ${problem}`);
    if (problems.length > MAX_PROBLEMS_LOGGED) this.logger.warn(`skipped ${problems.length - MAX_PROBLEMS_LOGGED} more skirmish AI folders`);
    const ais = [...byId.values()].sort((a, b) => compare(a.shortName.toLowerCase(), b.shortName.toLowerCase()) || compare(a.version, b.version));
    this.logger.info(`skirmish AIs: ${ais.map((a) => `${a.shortName} ${a.version}`).join(', ') || 'none'}`);
    this.publish(ais);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
