/**
 * The local stack cannot be built or started (no Go, a server that exits at start-up, an external
 * store that does not answer): the operator's to fix, so the CLI prints it without a stack trace.
 */
export class StackError extends Error {
  override readonly name = 'StackError';
}
