/**
 * The `nonadj` command line. Each command lives in its own file and only parses, calls the library, renders and
 * sets the exit code. Exit codes: 0 success, 1 findings (e.g. `check` found forbidden contacts), 2 errors
 * (bad arguments, unreadable or invalid input). Errors print one line (`nonadj <command>: <message>`), never a
 * stack trace unless `NONADJ_DEBUG=1`.
 */
import { Command, CommanderError } from 'commander';
import { makeAdaptCommand } from './adapt.js';
import { makeCheckCommand } from './check.js';
import { makeDemoCommand } from './demo.js';
import { makeEvaluateCommand } from './evaluate.js';
import { makeExtractCommand } from './extract.js';
import { makePasteIslandsCommand } from './pasteIslands.js';
import { makeRepairCommand } from './repair.js';
import { makeSegmentCommand } from './segment.js';
import { toolName } from './toolName.js';
import { makeTrainCommand } from './train.js';
import { makeViewCommand } from './view.js';

/** The program with every command registered (exported for tests). */
export function makeProgram(): Command {
  const program = new Command('nonadj')
    .description('Anatomically plausible segmentations: adjacency priors, NonAdjLoss training and the abnormal-adjacency metric.')
    .version(toolName().split(' ')[1])
    .exitOverride();
  program.addCommand(makeExtractCommand());
  program.addCommand(makeViewCommand());
  program.addCommand(makeCheckCommand());
  program.addCommand(makeEvaluateCommand());
  program.addCommand(makeRepairCommand());
  program.addCommand(makeTrainCommand());
  program.addCommand(makeSegmentCommand());
  program.addCommand(makeAdaptCommand());
  program.addCommand(makeDemoCommand());
  program.addCommand(makePasteIslandsCommand(), { hidden: true });
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
  const program = makeProgram();
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
