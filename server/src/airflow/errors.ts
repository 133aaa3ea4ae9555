/** What went wrong talking to Airflow; the message is safe to show (see redact.ts). */
export class AirflowError extends Error {
  constructor(
    message: string,
    readonly kind: 'credentials' | 'unreachable' | 'version' | 'http',
    readonly status?: number,
  ) {
    super(message);
  }
}
