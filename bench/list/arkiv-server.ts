import { loadConfig, startServer } from '@arkiv/server';
import { serveParent } from './child.js';

// The real Arkiv, configured only through its environment (see list-bench.ts for the settings).
const server = await startServer(loadConfig(process.env));
serveParent(() => server.close());
process.send!({ url: server.url });
