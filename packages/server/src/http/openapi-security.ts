/**
 * OpenAPI security requirements, one per kind of route. Documentation only: every route still
 * checks its caller itself (requirePermission). A `{}` entry means the route also answers anonymous
 * callers.
 */
export const securitySchemes = {
  bearer: { type: 'http', scheme: 'bearer', description: 'API token (scopes read, upload, admin)' },
  session: { type: 'apiKey', in: 'cookie', name: 'arkiv_session', description: 'Dashboard session (writes also need X-CSRF-Token)' },
} as const;

type SecurityRequirements = Array<Record<string, string[]>>;

/** An API token or a dashboard session. */
export const signedIn: SecurityRequirements = [{ bearer: [] }, { session: [] }];
/** Anyone, unless the organisation requires a read token. */
export const readAccess: SecurityRequirements = [{}, { bearer: [] }, { session: [] }];
/** A dashboard session only. */
export const sessionOnly: SecurityRequirements = [{ session: [] }];
/** Anyone; the route authenticates the request another way (a signature) or needs nothing. */
export const publicRoute: SecurityRequirements = [];
