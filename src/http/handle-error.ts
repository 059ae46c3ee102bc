import type { ErrorHandler } from 'hono';
import { logServiceError, ServiceError, toServiceError } from './errors';

/**
 * The app's `onError`: renders every error as `{"error":{"code","message"}}` with its status.
 * Our middleware has already logged its own {@link ServiceError}s; anything else that escaped is
 * logged here, with its cause, as a 500.
 *
 * @example
 * app.onError(handleError);
 */
export const handleError: ErrorHandler = (error, c) => {
  if (error instanceof ServiceError) return error.getResponse();
  const serviceError = toServiceError(error);
  logServiceError(serviceError, c.req.raw);
  return serviceError.getResponse();
};
