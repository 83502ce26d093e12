/**
 * Whether a process with this id exists on this machine (signal 0 tests for existence without sending anything).
 * Used to tell a lock or temporary file of a running process from one left behind by a process killed with
 * `kill -9`. A reused pid reads as alive, which errs on the safe side (the file is kept, not taken over).
 *
 * @param pid - process id.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
