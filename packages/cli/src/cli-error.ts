/** A user error the CLI reports as `{"error":{code,message}}` with exit status 1 (`usage`: the usage text, status 2). */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
