/** An answer other than 200 that the API gives on purpose, with a message the UI can show. */
export class HttpError extends Error {
  readonly status: number;
  readonly fix: string | undefined;
  constructor(status: number, message: string, fix?: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.fix = fix;
  }
}

export const badRequest = (message: string, fix?: string) => new HttpError(400, message, fix);
export const notFound = (message: string, fix?: string) => new HttpError(404, message, fix);
