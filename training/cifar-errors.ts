/**
 * Errors of the CIFAR-100 reader and the staging step. Each message names the source and the
 * place (entry, byte offset, record number) so a bad download or a wrong file is found at once.
 */

export class CifarError extends Error {
  override name = 'CifarError';
}

/** The source cannot be opened: missing file, HTTP status other than 200, unknown kind of path. */
export class CifarSourceError extends CifarError {
  override name = 'CifarSourceError';
}

/** The tar.gz archive is corrupt or truncated (gzip or tar level). */
export class CorruptArchiveError extends CifarError {
  override name = 'CorruptArchiveError';
}

/** A file or archive entry does not hold whole 3074-byte CIFAR-100 records, or a label is out of range. */
export class RecordFormatError extends CifarError {
  override name = 'RecordFormatError';
}

/** A record's fine label is not among the selected classes while strict labels were asked for. */
export class UnknownClassError extends CifarError {
  override name = 'UnknownClassError';
}

/** The source has no data for a requested split (`train` or `test`). */
export class MissingSplitError extends CifarError {
  override name = 'MissingSplitError';
}
