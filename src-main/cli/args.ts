// A small strict argument parser for the command-line shells: known flags only, clear errors.
export interface FlagSpec {
  readonly type: 'string' | 'boolean' | 'list';
  readonly description: string;
}

export type ParsedArgs<S extends Record<string, FlagSpec>> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : S[K]['type'] extends 'list' ? string[] : string;
};

export class UsageError extends Error {}

export function parseArgs<S extends Record<string, FlagSpec>>(argv: readonly string[], spec: S): ParsedArgs<S> {
  const out: Record<string, string | boolean | string[]> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const flag = spec[name];
    if (!flag) throw new UsageError(`unknown option --${name}`);
    if (flag.type === 'boolean') {
      out[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (flag.type === 'list') out[name] = [...((out[name] as string[] | undefined) ?? []), value];
    else out[name] = value;
  }
  return out as ParsedArgs<S>;
}

export function usage(command: string, spec: Record<string, FlagSpec>): string {
  const lines = Object.entries(spec).map(([name, flag]) => `  --${name}${flag.type === 'boolean' ? '' : ' <value>'}${flag.type === 'list' ? ' (repeatable)' : ''}\n      ${flag.description}`);
  return `usage: ${command} [options]\n${lines.join('\n')}\n`;
}

export const EXIT_USAGE = 64;

/**
 * Parses a command's arguments, printing the error and usage to stderr (or the help to stdout) when there is nothing to
 * run; returns the exit code in that case.
 */
export function parseCommandLine<S extends Record<string, FlagSpec>>(name: string, argv: readonly string[], spec: S): ParsedArgs<S> | number {
  const command = `npm run ${name} --`;
  try {
    const args = parseArgs(argv, spec) as ParsedArgs<S> & { help?: boolean };
    if (args.help) {
      process.stdout.write(usage(command, spec));
      return 0;
    }
    return args;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${name}: ${error.message}\n${usage(command, spec)}`);
    return EXIT_USAGE;
  }
}

/** Runs a command's main and exits with its code; an unexpected error is one line on stderr. */
export function runCommand(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
