/** The few XML documents of the S3 REST API the local server reads and writes. */

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

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[entity] as string;
  });
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
 * Keys and the Quiet flag of a DeleteObjects request. The body's shape is fixed by the API
 * (`<Delete><Object><Key>..</Key><VersionId>..</VersionId></Object>..<Quiet>..</Quiet></Delete>`),
 * so a pattern match is exact enough and avoids an XML parser dependency.
 */
export function parseDeleteRequest(xml: string): { keys: string[]; quiet: boolean } {
  const keys = [...xml.matchAll(/<Object>[\s\S]*?<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Object>/g)].map((m) =>
    unescapeXml(m[1] as string),
  );
  return { keys, quiet: /<Quiet>\s*true\s*<\/Quiet>/i.test(xml) };
}
