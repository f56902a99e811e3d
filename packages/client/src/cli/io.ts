/** Exit codes of `arkiv`: scripts branch on them. */
export const EXIT = { ok: 0, apiError: 1, usage: 2, interrupted: 130 } as const;

/** A mistake in the command line or configuration: exit 2, before any request is sent. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where a command writes; main.ts passes the process's streams. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
}

export const line = (stream: NodeJS.WritableStream, text: string) => stream.write(`${text}\n`);
