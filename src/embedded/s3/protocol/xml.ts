/** The few XML documents of the S3 REST API the local server reads and writes. */
import { parseXML } from '@aws-sdk/xml-builder';
import { s3Errors } from './errors.ts';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for an element; CR/LF become character references so keys round-trip exactly. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r\n]/g, (c) => XML_ESCAPES[c] ?? `&#${c.charCodeAt(0)};`);
}

export type XmlValue = string | number | boolean | undefined | XmlNode | XmlNode[];
export interface XmlNode {
  [element: string]: XmlValue;
}

/** Renders `{ Name: 'x', Contents: [{ Key: 'k' }] }`; arrays repeat the element, undefined is omitted. */
function renderElements(node: XmlNode): string {
  let xml = '';
  for (const [name, value] of Object.entries(node)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      xml +=
        typeof item === 'object'
          ? `<${name}>${renderElements(item)}</${name}>`
          : `<${name}>${escapeXml(String(item))}</${name}>`;
    }
  }
  return xml;
}

export function xmlDocument(root: string, body: XmlNode, namespace = true): string {
  const attributes = namespace ? ` xmlns="${S3_XMLNS}"` : '';
  return `${XML_DECLARATION}<${root}${attributes}>${renderElements(body)}</${root}>`;
}

/**
 * Parses a request document with the AWS SDK's own XML parser (`@aws-sdk/xml-builder`, the one
 * that reads S3's responses; it never expands entities). A DTD (`<!DOCTYPE`, `<!ENTITY`: the
 * entity-expansion attacks) or an entity other than XML's five and character references is
 * refused, like anything not well-formed: MalformedXML.
 */
export function parseRequestXml(body: Buffer, root: string): Record<string, unknown> {
  const text = body.toString('utf8');
  if (
    /<!(DOCTYPE|ENTITY)/i.test(text) ||
    /&(?!(amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});)/.test(text)
  ) {
    throw s3Errors.malformedXml();
  }
  let document: Record<string, unknown>;
  try {
    document = parseXML(text) as Record<string, unknown>;
  } catch {
    throw s3Errors.malformedXml();
  }
  const element = document[root];
  if (element === undefined) throw s3Errors.malformedXml();
  return typeof element === 'object' && element !== null ? (element as Record<string, unknown>) : {};
}

/** A repeated element as a list (the parser gives a single occurrence as the element itself). */
export function elements(node: Record<string, unknown>, name: string): Record<string, unknown>[] {
  const value = node[name];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map(
    (item) => (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>,
  );
}

/** The text of a child element, or undefined; an element where text belongs is MalformedXML. */
export function text(node: Record<string, unknown>, name: string): string | undefined {
  const value = node[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw s3Errors.malformedXml();
  return value;
}

export interface DeleteRequest {
  objects: { key: string; versionId?: string }[];
  quiet: boolean;
}

/** DeleteObjects: `<Delete><Object><Key>..</Key><VersionId>..</VersionId></Object>..<Quiet>..</Quiet></Delete>`. */
export function parseDeleteRequest(body: Buffer): DeleteRequest {
  const root = parseRequestXml(body, 'Delete');
  const objects = elements(root, 'Object').map((object) => {
    const key = text(object, 'Key');
    if (key === undefined) throw s3Errors.malformedXml();
    const versionId = text(object, 'VersionId');
    return versionId === undefined ? { key } : { key, versionId };
  });
  if (objects.length === 0 || objects.length > 1000) throw s3Errors.malformedXml();
  return { objects, quiet: text(root, 'Quiet')?.trim().toLowerCase() === 'true' };
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
  checksums: Record<string, string>;
}

/** CompleteMultipartUpload: `<CompleteMultipartUpload><Part><PartNumber>..</PartNumber><ETag>..</ETag>..`. */
export function parseCompleteRequest(body: Buffer): CompletedPart[] {
  const root = parseRequestXml(body, 'CompleteMultipartUpload');
  const parts = elements(root, 'Part').map((part) => {
    const number = text(part, 'PartNumber')?.trim();
    const etag = text(part, 'ETag');
    if (number === undefined || !/^\d{1,5}$/.test(number) || etag === undefined)
      throw s3Errors.malformedXml();
    const checksums: Record<string, string> = {};
    for (const [name, value] of Object.entries(part)) {
      if (name.startsWith('Checksum') && typeof value === 'string') checksums[name] = value;
    }
    return { partNumber: Number(number), etag: etag.trim().replace(/^"|"$/g, ''), checksums };
  });
  if (parts.length === 0) throw s3Errors.malformedXml();
  return parts;
}

/** CreateBucket's optional body: the LocationConstraint, or undefined (us-east-1). */
export function parseLocationConstraint(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  const root = parseRequestXml(body, 'CreateBucketConfiguration');
  const location = text(root, 'LocationConstraint')?.trim();
  return location || undefined;
}
