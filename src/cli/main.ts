/**
 * The `nonadj` command line. Each command lives in its own file and only parses, calls the library, renders and
 * sets the exit code. Exit codes: 0 success, 1 findings (e.g. `check` found forbidden contacts), 2 errors
 * (bad arguments, unreadable or invalid input). Errors print one line (`nonadj <command>: <message>`), never a
 * stack trace unless `NONADJ_DEBUG=1`.
 */
import { Command, CommanderError } from 'commander';
import { toolName } from './toolName.js';

/**
 * The commands in help order, each loaded only when it runs: a command's module pulls in what it needs (train and
 * segment load TensorFlow.js, ~1 s), and `nonadj extract` on one exam should not pay for the others' imports.
 */
const COMMANDS: ReadonlyArray<{ name: string; hidden?: boolean; load: () => Promise<Command> }> = [
  { name: 'extract', load: async () => (await import('./extract.js')).makeExtractCommand() },
  { name: 'merge', load: async () => (await import('./merge.js')).makeMergeCommand() },
  { name: 'view', load: async () => (await import('./view.js')).makeViewCommand() },
  { name: 'check', load: async () => (await import('./check.js')).makeCheckCommand() },
  { name: 'evaluate', load: async () => (await import('./evaluate.js')).makeEvaluateCommand() },
  { name: 'repair', load: async () => (await import('./repair.js')).makeRepairCommand() },
  { name: 'train', load: async () => (await import('./train.js')).makeTrainCommand() },
  { name: 'segment', load: async () => (await import('./segment.js')).makeSegmentCommand() },
  { name: 'adapt', load: async () => (await import('./adapt.js')).makeAdaptCommand() },
  { name: 'conform', load: async () => (await import('./conform.js')).makeConformCommand() },
  { name: 'demo', load: async () => (await import('./demo.js')).makeDemoCommand() },
  { name: 'paste-islands', hidden: true, load: async () => (await import('./pasteIslands.js')).makePasteIslandsCommand() },
];

/**
 * The program with its commands registered (exported for tests): only `only` when it names a command, so that a
 * run loads one command's modules; every command otherwise (help, version, an unknown command's message).
 */
export async function makeProgram(only?: string): Promise<Command> {
  const program = new Command('nonadj')
    .description('Anatomically plausible segmentations: adjacency priors, NonAdjLoss training and the abnormal-adjacency metric.')
    .version(toolName().split(' ')[1])
    .exitOverride();
  const chosen = COMMANDS.filter((c) => c.name === only);
  for (const c of chosen.length > 0 ? chosen : COMMANDS) program.addCommand(await c.load(), { hidden: c.hidden === true });
  for (const command of [program, ...program.commands]) {
    // One line, in the same "nonadj <command>: …" form as every other error, and a pointer to --help.
    const prefix = command === program ? 'nonadj: ' : `nonadj ${command.name()}: `;
    command
      .exitOverride()
      .showHelpAfterError(`(see nonadj ${command === program ? '' : command.name() + ' '}--help)`)
      .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, prefix)) });
  }
  return program;
}

/** Run the CLI on `argv` (without the node and script entries); resolves to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = await makeProgram(argv[0]);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; commander already printed its message otherwise.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : 2;
    }
    const command = program.args[0] && program.commands.some((c) => c.name() === program.args[0]) ? ` ${program.args[0]}` : '';
    if (process.env.NONADJ_DEBUG === '1') process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.stderr.write(`nonadj${command}: ${(error as Error).message}\n`);
    return 2;
  }
}
