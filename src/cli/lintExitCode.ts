/**
 * Exit code of the linting commands (`check`, `repair`): 0 when no forbidden contact remains, 1 when some do
 * (like a linter), unless the policy is `'no-fail'` (`--no-fail`), which always gives 0. Errors (exit 2) are
 * handled by `runCli`.
 *
 * @param forbiddenContacts - forbidden contacts per checked file.
 */
export function lintExitCode(forbiddenContacts: readonly number[], policy: 'fail' | 'no-fail'): 0 | 1 {
  if (policy === 'no-fail') return 0;
  return forbiddenContacts.some((n) => n > 0) ? 1 : 0;
}
