import { AppError } from '../../http/errors.js';
import { SonarQubeError } from './sonar-api.js';

/**
 * How a failed SonarQube call reaches an Arkiv client: 404 for a project SonarQube does not have,
 * 502 (Bad Gateway) for everything SonarQube itself refused or failed at, each with a stable code.
 * Other errors pass through unchanged (AppErrors keep their own status, the rest become 500s).
 */
export function sonarProblem(error: unknown, projectKey: string): unknown {
  if (!(error instanceof SonarQubeError)) return error;
  switch (error.failure) {
    case 'not_found':
      return new AppError(404, 'sonarqube_project_not_found', `SonarQube has no project "${projectKey}" (or no such branch)`);
    case 'unauthorized':
      return new AppError(502, 'sonarqube_unauthorized', error.message);
    case 'unavailable':
      return new AppError(502, 'sonarqube_unavailable', error.message);
    default:
      return new AppError(502, 'sonarqube_bad_response', error.message);
  }
}
