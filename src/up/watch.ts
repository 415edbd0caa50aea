/**
 * `scones up --watch`: when a file under `lambdas/`, `statemachine/` or `eventrules/` of the
 * watched tree changes, the new code and definitions are validated and swapped in for the next
 * execution (in-flight ones finish on the code they started with); a broken edit is reported with
 * its error and the previous version keeps serving.
 *
 * Changes are gathered for a short quiet period (editors write a file in several steps, a save
 * can touch several files) and applied one reload at a time; changes that arrive during a reload
 * cause one more. Rule files reload through the trigger (which keeps its rules when a file does
 * not load); handlers and ASL through a fresh bundle (workflow-code.ts) and the runtime's
 * swapWorkflow (which keeps its engine when the new one does not build).
 */
import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';
import type { EmbeddedTrigger } from '../embedded/events/index.ts';
import type { EmbeddedRuntime } from '../embedded/runtime.ts';
import { workflowCodeLoader } from './workflow-code.ts';

/** The watched folders, under the tree's root. */
export const WATCHED_FOLDERS = { code: ['lambdas', 'statemachine'], rules: ['eventrules'] } as const;

export interface WatchOptions {
  /** The tree holding lambdas/, statemachine/ and eventrules/ (the kit's own, or a copy in tests). */
  root: string;
  /** Quiet period before a reload, ms (default 150). */
  debounceMs?: number;
  /** Where reloads and broken edits are reported. */
  report: (line: string) => void;
}

export interface WorkflowWatcher {
  /** The version now serving: 1 at start, +1 per successful code reload. */
  readonly version: number;
  close(): Promise<void>;
}

/** Loads the tree's code (version 1, which must load), swaps it in, then follows every change. */
export async function watchWorkflow(
  runtime: EmbeddedRuntime,
  trigger: EmbeddedTrigger,
  options: WatchOptions,
): Promise<WorkflowWatcher> {
  const loader = await workflowCodeLoader(options.root);
  try {
    runtime.swapWorkflow(await loader.load());
  } catch (error) {
    await loader.close();
    throw error;
  }
  let version = 1;
  const pending = { code: new Set<string>(), rules: new Set<string>() };
  let timer: NodeJS.Timeout | undefined;
  let applying: Promise<void> = Promise.resolve();

  const apply = async () => {
    const code = [...pending.code];
    const rules = [...pending.rules];
    pending.code.clear();
    pending.rules.clear();
    if (rules.length > 0) {
      try {
        const names = trigger.reloadRules();
        options.report(`watch: ${rules.join(', ')} changed: rules reloaded (${names.join(', ')})`);
      } catch (error) {
        options.report(
          `watch: ${rules.join(', ')} changed; ${describe(error)}; the previous rules keep serving`,
        );
      }
    }
    if (code.length > 0) {
      try {
        runtime.swapWorkflow(await loader.load());
        version++;
        options.report(`watch: ${code.join(', ')} changed: version ${version} serves the next executions`);
      } catch (error) {
        options.report(
          `watch: ${code.join(', ')} changed; ${describe(error)}; version ${version} keeps serving`,
        );
      }
    }
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      applying = applying.then(apply);
    }, options.debounceMs ?? 150);
  };

  const watchers: FSWatcher[] = [];
  for (const [kind, folders] of Object.entries(WATCHED_FOLDERS) as [
    keyof typeof pending,
    readonly string[],
  ][]) {
    for (const folder of folders) {
      const watcher = watch(path.join(options.root, folder), { recursive: true }, (_event, file) => {
        pending[kind].add(
          path.posix.join(
            folder,
            String(file ?? '')
              .split(path.sep)
              .join('/'),
          ),
        );
        schedule();
      });
      watcher.on('error', (error) => options.report(`watch: ${folder}/: ${error.message}`));
      watchers.push(watcher);
    }
  }

  return {
    get version() {
      return version;
    },
    async close() {
      for (const watcher of watchers) watcher.close();
      clearTimeout(timer);
      timer = undefined;
      await applying;
      await loader.close();
    },
  };
}

/** The error as a reader needs it: its own name unless that says nothing (Error, WorkflowCodeError). */
function describe(error: unknown): string {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  return name === 'Error' || name === 'WorkflowCodeError' ? message : `${name}: ${message}`;
}
