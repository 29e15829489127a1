// What a player should read about an engine exit: from the exit code table and what the engine said last.
const EXIT_EXPLANATIONS: Readonly<Record<number, string>> = {
  21: 'The engine could not join the battle: content missing, a network problem or an incorrect password.',
  233: 'The battle host did not answer in time: it may not be running, or the network blocks it.',
  234: 'The engine failed to load the game or map.',
};

/** What a player should read about an exit, refined by what the engine said last. */
export function explainExit(code: number | null, signal: NodeJS.Signals | null, lastLines: readonly string[]): string | undefined {
  const text = lastLines.join('\n');
  // A kicked client exits 0: still worth telling the player.
  if (/Kicked from the battle/.test(text)) return 'The battle host removed you from the game (kicked).';
  if (code === 0) return undefined;
  if (/Incorrect password/i.test(text)) return 'The battle host rejected the password (engine exit code 21).';
  if (/User name not authorized/i.test(text)) return 'The battle host does not know this player name (engine exit code 21).';
  const dependency = /Dependent archive "([^"\n]{1,200})"[^\n]*not found/i.exec(text);
  if (dependency) return `Content is missing: ${JSON.stringify(dependency[1])} is not installed (engine exit code ${code ?? '?'}).`;
  if (/server connection timeout|connection timed out/i.test(text)) {
    return `The battle host did not answer in time (engine exit code ${code ?? '?'}).`;
  }
  if (code !== null) return EXIT_EXPLANATIONS[code] ?? `The engine stopped with exit code ${code}.`;
  if (signal === 'SIGKILL') return 'The engine was killed (SIGKILL): another program or the system ended it.';
  return `The engine was stopped by ${signal ?? 'an unknown signal'}.`;
}
