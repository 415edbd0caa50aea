/**
 * The kit's layering, checked by `npm run lint` (dependency-cruiser) instead of hoped for.
 * Layers point down: the CLI uses everything; targets open what the CLI runs against; the
 * embedded tier imports no deploy, promote, target or CLI code; the Lambdas see only the shapes
 * they share with the workflow, the config module and the AWS clients; training knows nothing of
 * the endpoint that serves its models. A service folder of the embedded tier is a room with one
 * door, its index.ts.
 *
 * Type-only imports count (`tsPreCompilationDeps`): a cycle closed by `import type` is still two
 * modules that cannot be understood apart.
 */

/** Service folders of the embedded tier: reached from outside only through their index.ts. */
const SERVICE = '^src/embedded/([^/]+)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment:
        'An import cycle, type-only imports included: move the shared shape to a types.ts both can see.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'embedded-points-down',
      severity: 'error',
      comment:
        'The embedded tier is used by deploy, promote, targets and the CLI, never the other way round.',
      from: { path: '^src/embedded/' },
      to: { path: '^src/(deploy|promote|cli|targets|test-cases|load|review|monitor|up)/' },
    },
    {
      name: 'lambdas-see-only-shared-shapes',
      severity: 'error',
      comment:
        'A Lambda bundle carries what it imports: only src/workflow/, src/config.ts, src/aws/, its own folder and lambdas/shared/.',
      from: { path: '^lambdas/([^/]+)/' },
      to: {
        path: '^(src|lambdas|training|bench|test|bin)/',
        pathNot: ['^lambdas/$1/', '^lambdas/shared/', '^src/workflow/', '^src/config[.]ts$', '^src/aws/'],
      },
    },
    {
      name: 'training-knows-no-endpoint',
      severity: 'error',
      comment: 'The trainer and the endpoint meet in src/workflow/predictor.ts, not in each other.',
      from: { path: '^training/' },
      to: { path: '^src/embedded/' },
    },
    {
      name: 'embedded-service-one-door-from-outside',
      severity: 'error',
      comment: 'Code outside a service folder of src/embedded/ reaches it through its index.ts only.',
      from: { path: '^(src|lambdas|training|bench|bin)/', pathNot: '^src/embedded/[^/]+/' },
      to: { path: SERVICE, pathNot: `${SERVICE}index[.]ts$` },
    },
    {
      name: 'embedded-service-one-door-between-services',
      severity: 'error',
      comment: 'One service folder of src/embedded/ reaches another through its index.ts only.',
      from: { path: SERVICE },
      to: { path: '^src/embedded/[^/]+/', pathNot: ['^src/embedded/$1/', '^src/embedded/[^/]+/index[.]ts$'] },
    },
    {
      name: 'promote-monitor-one-door',
      severity: 'error',
      comment:
        'The subfolders of src/promote/ and src/monitor/ are reached from outside their package through its index.ts.',
      from: { path: '^(src|bench|bin)/', pathNot: '^src/(promote|monitor)/' },
      to: { path: '^src/(promote|monitor)/[^/]+/', pathNot: '^src/(promote|monitor)/[^/]+/index[.]ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|[.]scones|[.]venv)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
