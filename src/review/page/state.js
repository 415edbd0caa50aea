// What the page knows: the page of items shown, what happened to each, and the server calls.

export const state = {
  session: undefined,
  offset: 0,
  total: 0,
  items: [],
  index: 0,
  /** id -> { kind: 'labelled' | 'dismissed' | 'taken' | 'skipped', text } */
  outcomes: new Map(),
  /** id -> why its image cannot be shown */
  imageProblems: new Map(),
  busy: false,
  reviewed: 0,
  /** Id of the item whose image has loaded: it can be labelled once the reviewer can see it. */
  photoShown: undefined,
};

export async function api(path, init) {
  const response = await fetch(path, init);
  const body = await response.json().catch(() => ({ error: 'bad_response', message: response.statusText }));
  return { status: response.status, body };
}

export const current = () => state.items[state.index];

export function takenOutcome(closed) {
  if (!closed) return { kind: 'taken', text: 'already closed' };
  const what = closed.label ?? closed.outcome;
  return { kind: 'taken', text: `${what} by ${closed.reviewer}` };
}

/** Index of the first item from `start` that is still open (no decision, not skipped), or -1. */
export function firstOpen(start) {
  for (let i = start; i < state.items.length; i++) {
    if (!state.outcomes.has(state.items[i].id)) return i;
  }
  return -1;
}

/** Whether the item is still pending on the server (not closed here or elsewhere). */
export function isPending(id) {
  const kind = state.outcomes.get(id)?.kind;
  return kind === undefined || kind === 'skipped';
}

/** Items of this page still pending on the server. */
export function stillPending() {
  return state.items.filter((item) => isPending(item.id)).length;
}

export function canLabel(item) {
  return (
    item?.status === 'ok' &&
    state.photoShown === item.id &&
    !state.imageProblems.has(item.id) &&
    isPending(item.id)
  );
}

export function problemOf(item) {
  if (!item) return undefined;
  if (item.status === 'malformed') return `malformed item: ${item.problem}`;
  if (item.status === 'unreadable') return `unreadable item: ${item.problem}`;
  return state.imageProblems.get(item.id);
}

/** Asks the server why an image failed (gone, not an image, ...) and remembers it. */
export async function noteImageProblem(item) {
  if (state.imageProblems.has(item.id)) return;
  const { body } = await api(item.imageUrl).catch(() => ({
    body: { message: 'the review server did not answer' },
  }));
  state.imageProblems.set(item.id, `${body.error ?? 'image_unavailable'}: ${body.message ?? ''}`);
}
