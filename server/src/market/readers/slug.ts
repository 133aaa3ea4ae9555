/** A stable lowercase id from a display name: `Postgres -> S3 (daily)` -> `postgres-s3-daily`. */
export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100) || 'dag';
}
