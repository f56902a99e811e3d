import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../context.js';

/**
 * What a feature's routes export. It lives apart from routes.ts, which imports every feature, so
 * that a feature importing this type does not import itself back.
 */
export type RoutePlugin = FastifyPluginAsync<{ ctx: AppContext }>;
