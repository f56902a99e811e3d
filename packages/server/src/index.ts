export { loadConfig, SETTINGS, type Config } from './config.js';
export { createContext, type AppContext, type BackgroundWorker } from './context.js';
export { startServer, type RunningServer } from './server.js';
export { buildAdminCli, runAdminCli } from './admin-cli.js';
export { parseVersion } from './reports/versions.js';
