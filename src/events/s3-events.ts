/**
 * S3's EventBridge events ("Object Created", "Object Deleted") built from an object change, shaped
 * as the S3 user guide documents them ("EventBridge event message structure",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html). Object keys are not
 * URL-encoded in these events (unlike the older S3 event notification records).
 */
import { randomUUID } from 'node:crypto';
import { isoSeconds } from './input-transformer.ts';

/** What a local S3 knows about a write or delete (the embedded server's ObjectNotification fits). */
export interface S3ObjectChange {
  kind: 'ObjectCreated' | 'ObjectDeleted';
  reason: 'PutObject' | 'CopyObject' | 'CompleteMultipartUpload' | 'DeleteObject' | 'DeleteObjects';
  bucket: string;
  key: string;
  size?: number;
  /** Without quotes. */
  etag?: string;
  versionId?: string;
  sequencer: string;
  requestId: string;
  sourceIp: string;
  time: Date;
}

/** Where an event comes from: the fields of the envelope that are not about the object. */
export interface EventScope {
  region: string;
  accountId: string;
  /** Default `aws`. */
  partition?: string;
}

export const S3_EVENT_SOURCE = 'aws.s3';
export const OBJECT_CREATED = 'Object Created';
export const OBJECT_DELETED = 'Object Deleted';

export interface S3ObjectEvent {
  version: '0';
  id: string;
  'detail-type': typeof OBJECT_CREATED | typeof OBJECT_DELETED;
  source: typeof S3_EVENT_SOURCE;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    version: '0';
    bucket: { name: string };
    object: { key: string; size?: number; etag?: string; 'version-id'?: string; sequencer: string };
    'request-id': string;
    requester: string;
    'source-ip-address': string;
    reason: string;
    'deletion-type'?: string;
  };
}

export interface S3EventOptions {
  /** Event id; default a fresh UUID (each delivery of one event keeps its id). */
  id?: string;
  /** Account id or service principal of the requester; default the scope's account. */
  requester?: string;
}

export function s3ObjectEvent(
  change: S3ObjectChange,
  scope: EventScope,
  options: S3EventOptions = {},
): S3ObjectEvent {
  const created = change.kind === 'ObjectCreated';
  // Field order as in AWS's examples: key, size, etag, version-id, sequencer.
  const object: S3ObjectEvent['detail']['object'] = {
    key: change.key,
    ...(created && change.size !== undefined ? { size: change.size } : {}),
    ...(change.etag === undefined ? {} : { etag: change.etag }),
    ...(change.versionId === undefined ? {} : { 'version-id': change.versionId }),
    sequencer: change.sequencer,
  };
  const detail: S3ObjectEvent['detail'] = {
    version: '0',
    bucket: { name: change.bucket },
    object,
    'request-id': change.requestId,
    requester: options.requester ?? scope.accountId,
    'source-ip-address': change.sourceIp,
    // "DeleteObject when an object is deleted by an S3 API call": one reason for single and batch deletes.
    reason: change.reason === 'DeleteObjects' ? 'DeleteObject' : change.reason,
  };
  // The local store is unversioned: every delete removes the object for good.
  if (!created) detail['deletion-type'] = 'Permanently Deleted';
  return {
    version: '0',
    id: options.id ?? randomUUID(),
    'detail-type': created ? OBJECT_CREATED : OBJECT_DELETED,
    source: S3_EVENT_SOURCE,
    account: scope.accountId,
    time: isoSeconds(change.time),
    region: scope.region,
    resources: [`arn:${scope.partition ?? 'aws'}:s3:::${change.bucket}`],
    detail,
  };
}

/** The object an S3 EventBridge event is about, or undefined for any other event. */
export function objectOfEvent(
  event: unknown,
): { bucket: string; key: string; sequencer: string } | undefined {
  const candidate = event as Partial<S3ObjectEvent> | undefined;
  if (candidate?.source !== S3_EVENT_SOURCE) return undefined;
  const bucket = candidate.detail?.bucket?.name;
  const key = candidate.detail?.object?.key;
  const sequencer = candidate.detail?.object?.sequencer;
  if (typeof bucket !== 'string' || typeof key !== 'string' || typeof sequencer !== 'string')
    return undefined;
  return { bucket, key, sequencer };
}
