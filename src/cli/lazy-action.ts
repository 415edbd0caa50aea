/**
 * Commander actions that import their command's module only when that command runs. Registering a
 * command (name, options, help) must stay cheap: `scones --help` and every command would otherwise
 * load what all commands need (the AWS SDK, tfjs, onnxruntime, sharp, vega), about a second of CPU.
 * test/cli/startup.test.ts fails when a registration loads one of those packages.
 *
 *   .action(lazyAction(() => import('./classify.ts'), 'classifyCommand'))
 */
export function lazyAction<Name extends string, Module extends Record<Name, (...args: never[]) => unknown>>(
  load: () => Promise<Module>,
  name: Name,
): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    // Commander passes what the command's arguments and options parse to.
    const action = (await load())[name] as unknown as (...args: unknown[]) => unknown;
    await action(...args);
  };
}
