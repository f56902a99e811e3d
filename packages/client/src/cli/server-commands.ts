/**
 * Commands that run the server or reach its database directly. They belong to @arkiv/server; the
 * CLI hands them over whole (flags, help, exit codes) so there is one implementation of each.
 */
export const SERVER_COMMANDS = new Set(['serve', 'worker', 'migrate', 'org', 'token', 'user']);

interface ServerModule {
  runAdminCli(argv: string[]): Promise<void>;
}

/**
 * The client package must never depend on the server at build time (the server depends on the
 * client), so the module name is a variable: TypeScript does not resolve it, Node does at run time.
 */
const SERVER_PACKAGE: string = '@arkiv/server';

export async function loadServer(): Promise<ServerModule | undefined> {
  try {
    return (await import(SERVER_PACKAGE)) as ServerModule;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(SERVER_PACKAGE);
    if (missing) return undefined;
    throw error;
  }
}
