/**
 * A V8 CPU profile (inspector `Profiler`, the format `node --cpu-prof` writes) split by stage of
 * an embedded execution. Each sample goes to the nearest frame on its stack that belongs to a
 * stage (the S3 server, sharp, the engine, ...), so Node and V8 internals (HTTP parsing, socket
 * writes, JSON.stringify) count for the code that called them; samples with no such frame are
 * named by the Node module they ran in (HTTP server or client parsing, timers, ...). JSON.parse and
 * JSON.stringify are also totalled apart, per stage, since round trips are a lever of their own.
 */
import type { Profiler } from 'node:inspector';

/** Stages by where their code lives: the first rule whose pattern matches a frame's URL wins. */
const STAGE_RULES: [stage: string, pattern: RegExp][] = [
  ['bench driver', /\/bench\//],
  ['server threads (messages)', /\/src\/embedded\/functions\/[\w-]*thread[\w-]*\.ts/],
  ['S3 server', /\/src\/embedded\/s3\//],
  ['endpoint server', /\/src\/embedded\/sagemaker-runtime\//],
  ['serialize handler', /\/lambdas\/serialize-image-data\//],
  ['sharp (JS side)', /\/node_modules\/sharp\//],
  ['PNG check (fast-png)', /\/node_modules\/(fast-png|pako|iobuffer)\//],
  ['classify handler', /\/lambdas\/classify-image\//],
  ['filter handler', /\/lambdas\/filter-inferences\//],
  [
    'telemetry (Powertools, run log)',
    /\/lambdas\/shared\/|@aws-lambda-powertools|\/src\/embedded\/functions\/run-log\.ts/,
  ],
  ['Lambda integration', /\/src\/embedded\/(stepfunctions\/integrations\/lambda|functions\/invoke)\.ts/],
  ['SDK integration (s3:putObject)', /\/src\/embedded\/stepfunctions\/integrations\/sdk\.ts/],
  ['engine wrapper (engine.ts, registry)', /\/src\/embedded\/[\w/-]+\.ts/],
  [
    'engine (aws-local-stepfunctions, JSONPath)',
    /aws-local-stepfunctions|jsonpath-plus|p-limit|wildcard-match/,
  ],
  ['SDK clients', /@aws-sdk\/|@smithy\/|@aws-crypto\/|fast-xml-parser|strnum|bowser|\/tslib\//],
  ['workflow shared (src/workflow)', /\/src\/workflow\//],
];

/** Node modules that tell what a sample without a stage frame was doing. */
const NODE_RULES: [stage: string, pattern: RegExp][] = [
  ['node http server (parse, respond)', /^node:_http_server/],
  ['node http client (agent, parse)', /^node:_http_(client|agent)/],
  ['node http (parser, messages)', /^node:_http_/],
  ['node net/streams', /^node:(net|stream|internal\/streams|internal\/stream_base_commons)/],
  ['node timers/microtasks', /^node:internal\/(timers|process\/task_queues)/],
];

/** Frames that are plumbing around a stage, never the stage itself: look further up. */
const PASS_THROUGH = [/\/src\/embedded\/gateway\//];

const JSON_FUNCTIONS = new Set(['parse', 'stringify']);

export interface StageBreakdown {
  /** Sampled CPU time by stage, µs (idle excluded). */
  stageUs: Record<string, number>;
  /** Of that, time inside JSON.parse / JSON.stringify, by the stage that called them. */
  jsonUs: Record<string, number>;
  /** Busiest functions by self time: "name (file:line)" -> µs. */
  topSelfUs: Record<string, number>;
  /** Total sampled time that was not idle, µs. */
  busyUs: number;
}

function stageOfUrl(url: string): string | undefined {
  if (PASS_THROUGH.some((pattern) => pattern.test(url))) return undefined;
  return STAGE_RULES.find(([, pattern]) => pattern.test(url))?.[0];
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\/.*?\/(node_modules|src|lambdas|bench)\//, '$1/');
}

export function breakDownProfile(profile: Profiler.Profile, topCount = 25): StageBreakdown {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stageCache = new Map<number, string>();
  const stageOf = (id: number): string => {
    const cached = stageCache.get(id);
    if (cached) return cached;
    let nodeModule: string | undefined;
    let stage: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !stage; at = parent.get(at)) {
      const url = byId.get(at)?.callFrame.url ?? '';
      stage = stageOfUrl(url);
      nodeModule ??= NODE_RULES.find(([, pattern]) => pattern.test(url))?.[0];
    }
    const frame = byId.get(id)?.callFrame;
    const named = frame?.functionName === '(garbage collector)' ? 'V8 garbage collector' : undefined;
    const result = stage ?? named ?? nodeModule ?? `other (${frame?.functionName || frame?.url || '?'})`;
    stageCache.set(id, result);
    return result;
  };

  const stageUs: Record<string, number> = {};
  const jsonUs: Record<string, number> = {};
  const selfUs: Record<string, number> = {};
  let busyUs = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)' || frame.functionName === '(root)') continue;
    // A sample stands for the time until the next one.
    const us = deltas[i + 1] ?? deltas[i] ?? 0;
    busyUs += us;
    const stage = stageOf(id);
    stageUs[stage] = (stageUs[stage] ?? 0) + us;
    if (frame.url === '' && JSON_FUNCTIONS.has(frame.functionName)) jsonUs[stage] = (jsonUs[stage] ?? 0) + us;
    const name = `${frame.functionName || '(anonymous)'} (${shortUrl(frame.url) || 'native'}:${frame.lineNumber + 1})`;
    selfUs[name] = (selfUs[name] ?? 0) + us;
  }
  const top = Object.entries(selfUs)
    .sort((a, b) => b[1] - a[1])
    .slice(0, topCount);
  return { stageUs, jsonUs, topSelfUs: Object.fromEntries(top), busyUs };
}

/** Adds breakdowns (e.g. the main thread's and each worker's), stage by stage. */
export function mergeBreakdowns(parts: StageBreakdown[]): StageBreakdown {
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [key, us] of Object.entries(from)) into[key] = (into[key] ?? 0) + us;
  };
  const merged: StageBreakdown = { stageUs: {}, jsonUs: {}, topSelfUs: {}, busyUs: 0 };
  for (const part of parts) {
    add(merged.stageUs, part.stageUs);
    add(merged.jsonUs, part.jsonUs);
    add(merged.topSelfUs, part.topSelfUs);
    merged.busyUs += part.busyUs;
  }
  return merged;
}
