/**
 * The IAM policy docs/aws.md gives the person who runs promote and teardown: every AWS API call of
 * that code path must be allowed by it, and everything that IAM can scope is scoped to the kit's
 * `scones-*` names. The calls are read from the source (SDK command and paginator imports), so new calls fail here
 * until the policy names them.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/emulator/python-venv.ts';

interface Statement {
  Action: string | string[];
  Resource: string | string[];
}

const IAM_PREFIX: Record<string, string> = {
  s3: 's3',
  sagemaker: 'sagemaker',
  lambda: 'lambda',
  sfn: 'states',
  iam: 'iam',
  'resource-groups-tagging-api': 'tag',
  eventbridge: 'events',
  sns: 'sns',
  cloudwatch: 'cloudwatch',
};

/** S3 operations whose IAM action has another name. */
const S3_ACTION: Record<string, string> = {
  HeadBucket: 'ListBucket',
  ListObjectsV2: 'ListBucket',
  DeleteObjects: 'DeleteObject',
  HeadObject: 'GetObject',
  GetBucketNotificationConfiguration: 'GetBucketNotification',
  PutBucketNotificationConfiguration: 'PutBucketNotification',
};

async function sourcesOfThePromotePath(): Promise<string[]> {
  const files: string[] = [];
  for (const dir of ['src/promote', 'src/deploy']) {
    for (const name of await readdir(join(PROJECT_ROOT, dir)))
      if (name.endsWith('.ts')) files.push(join(PROJECT_ROOT, dir, name));
  }
  files.push(join(PROJECT_ROOT, 'training/stage.ts'), join(PROJECT_ROOT, 'training/s3-objects.ts'));
  return files;
}

async function apiCalls(): Promise<Set<string>> {
  const calls = new Set<string>();
  const importBlock = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g;
  for (const file of await sourcesOfThePromotePath()) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const [, names = '', client = ''] of text.matchAll(importBlock)) {
      const prefix = IAM_PREFIX[client];
      if (!prefix) continue; // sts:GetCallerIdentity needs no permission
      for (const raw of names.split(',')) {
        // `X as Y` imports X.
        const name =
          raw
            .trim()
            .replace(/^type\s+/, '')
            .split(/\s+as\s+/)[0] ?? '';
        if (raw.trim().startsWith('type ')) continue;
        // `XCommand` sends X; the SDK's `paginateX` helper sends X once per page.
        const operation = name.endsWith('Command')
          ? name.slice(0, -'Command'.length)
          : /^paginate[A-Z]/.test(name)
            ? name.slice('paginate'.length)
            : undefined;
        if (!operation) continue;
        calls.add(`${prefix}:${prefix === 's3' ? (S3_ACTION[operation] ?? operation) : operation}`);
      }
    }
  }
  return calls;
}

describe('operator policy (docs/aws-operator-policy.json)', () => {
  it('allows every AWS call of promote, teardown and the deploy module', async () => {
    const policy = JSON.parse(
      await readFile(join(PROJECT_ROOT, 'docs/aws-operator-policy.json'), 'utf8'),
    ) as {
      Statement: Statement[];
    };
    const allowed = new Set(policy.Statement.flatMap((statement) => [statement.Action].flat()));
    const calls = await apiCalls();
    expect(calls.size).toBeGreaterThan(30);
    expect([...calls].filter((call) => !allowed.has(call)).sort()).toEqual([]);
  });

  it('scopes everything to scones-* except actions without resource-level permissions', async () => {
    const policy = JSON.parse(
      await readFile(join(PROJECT_ROOT, 'docs/aws-operator-policy.json'), 'utf8'),
    ) as {
      Statement: Statement[];
    };
    for (const statement of policy.Statement) {
      const resources = [statement.Resource].flat();
      if (resources.includes('*')) {
        for (const action of [statement.Action].flat())
          expect(action).toMatch(/^(sagemaker:List|iam:ListRoles$|tag:GetResources$)/);
      } else {
        for (const resource of resources) expect(resource).toMatch(/scones-\*/);
      }
    }
  });

  it('is the policy docs/aws.md shows', async () => {
    const doc = await readFile(join(PROJECT_ROOT, 'docs/aws.md'), 'utf8');
    const shown = /```json\n([\s\S]*?)\n```/.exec(doc)?.[1] ?? '';
    const file = await readFile(join(PROJECT_ROOT, 'docs/aws-operator-policy.json'), 'utf8');
    expect(JSON.parse(shown)).toEqual(JSON.parse(file));
  });
});
