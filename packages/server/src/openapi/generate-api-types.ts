// `npm run generate:api-types`: rewrites packages/client/src/generated/api-types.ts from the
// current route schemas. Assembles the app in memory; no server is started.
import { API_TYPES_FILE, currentApiTypes, writeApiTypes } from './api-types.js';

writeApiTypes(await currentApiTypes());
console.log(`wrote ${API_TYPES_FILE}`);
