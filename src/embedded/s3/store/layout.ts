/**
 * Where the local S3 store keeps what, and the defaults S3 records: shared by the store and its
 * start-up reader (bucket-load.ts), which would otherwise import each other.
 */

/** Per bucket folder: the object index lives here (`<bucket>/.meta/index.jsonl`). */
export const META_DIR = '.meta';
export const INDEX_FILE = 'index.jsonl';
/** Per bucket folder: its region and creation time. */
export const BUCKET_FILE = '.bucket.json';
/** What S3 records for an object stored without a Content-Type. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
export const DEFAULT_REGION = 'us-east-1';

/** S3 keeps second precision: Last-Modified and If-Modified-Since compare at that grain. */
export const toSeconds = (date: Date) => new Date(Math.floor(date.getTime() / 1000) * 1000);
