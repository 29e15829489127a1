// The command-line shells' flags: node:util's strict parseArgs underneath, with one flag table that also prints the usage.
import { parseArgs as parseNodeArgs } from 'node:util';

export interface FlagSpec {
  readonly type: 'string' | 'boolean' | 'list';
  readonly description: string;
}

export type ParsedArgs<S extends Record<string, FlagSpec>> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : S[K]['type'] extends 'list' ? string[] : string;
};

export class UsageError extends Error {}

/** Known flags only, no positional arguments; `--name value` and `--name=value`; a list flag may repeat. */
export function parseArgs<S extends Record<string, FlagSpec>>(argv: readonly string[], spec: S): ParsedArgs<S> {
  const options = Object.fromEntries(
    Object.entries(spec).map(([name, flag]) => [name, { type: flag.type === 'boolean' ? ('boolean' as const) : ('string' as const), multiple: flag.type === 'list' }]),
  );
  try {
    return parseNodeArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as ParsedArgs<S>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) throw new UsageError(usageProblem(code, error as Error));
    throw error;
  }
}

/** node:util's messages, in this project's words where one names an option. */
function usageProblem(code: string, error: Error): string {
  const option = /'(-{1,2}[^' ]+)/.exec(error.message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument: ${error.message.replace(/^.*?'([^']*)'.*$/s, '$1').slice(0, 80)}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) return /does not take/.test(error.message) ? `${option} takes no value` : `${option} needs a value`;
  return error.message.split('\n')[0]!.slice(0, 200);
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
