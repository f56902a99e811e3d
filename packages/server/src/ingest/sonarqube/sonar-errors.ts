import { AppError } from '../../http/errors.js';
import { SonarQubeError } from './sonar-api.js';

/**
 * How a failed SonarQube call reaches an Arkiv client: 404 only when the project (or branch) lookup
 * itself answered 404, 502 (Bad Gateway) for everything else SonarQube refused or failed at, each
 * with a stable code and SonarQube's own message (`errors[].msg`) in the detail.
 * Other errors pass through unchanged (AppErrors keep their own status, the rest become 500s).
 */
export function sonarProblem(error: unknown, projectKey: string): unknown {
  if (!(error instanceof SonarQubeError)) return error;
  switch (error.failure) {
    case 'project_not_found':
      return new AppError(404, 'sonarqube_project_not_found', `SonarQube has no project "${projectKey}" (or no such branch)${error.sonarMessage ? `: ${error.sonarMessage}` : ''}`);
    case 'not_found':
    case 'bad_request':
      return new AppError(502, 'sonarqube_bad_request', error.message);
    case 'unauthorized':
      return new AppError(502, 'sonarqube_unauthorized', error.message);
    case 'unavailable':
      return new AppError(502, 'sonarqube_unavailable', error.message);
    default:
      return new AppError(502, 'sonarqube_bad_response', error.message);
  }
}
