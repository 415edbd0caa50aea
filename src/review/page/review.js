// The review page: one page of the pending queue at a time, one item in focus, a decision per key
// press. Plain DOM and ES modules, no framework and no build step: the page is a list and a form.

import { $, toast } from './dom.js';
import { handlers, renderActions, renderCounts, renderItem, renderQueue, showEmpty } from './render.js';
import {
  api,
  canLabel,
  current,
  firstOpen,
  isPending,
  problemOf,
  state,
  stillPending,
  takenOutcome,
} from './state.js';

const KEYS = {
  b: 'bicycle',
  1: 'bicycle',
  m: 'motorcycle',
  2: 'motorcycle',
  n: 'neither',
  3: 'neither',
};

async function loadPage(offset, { refresh = false } = {}) {
  const size = state.session?.pageSize ?? 20;
  const query = `offset=${Math.max(0, offset)}&limit=${size}${refresh ? '&refresh=1' : ''}`;
  const { status, body } = await api(`/api/items?${query}`);
  if (status !== 200) {
    toast(`Could not load the queue: ${body.message}`, 'error');
    if (!state.items.length)
      showEmpty(`${body.message} — press R to try again.`, 'The queue cannot be loaded');
    return;
  }
  state.offset = body.offset;
  state.total = body.total;
  state.items = body.items;
  state.outcomes = new Map();
  for (const item of body.items) {
    if (item.status === 'closed') state.outcomes.set(item.id, takenOutcome(item.closed));
  }
  state.index = Math.max(0, firstOpen(0));
  renderQueue();
  await renderItem();
  document.body.dataset.ready = 'true';
}

async function advance() {
  const next = firstOpen(state.index + 1);
  if (next >= 0) return select(next);
  // End of this page: closed items left the listing, so the next page starts after those still pending.
  const nextOffset = state.offset + stillPending();
  if (nextOffset < state.total) return loadPage(nextOffset);
  const skipped = [...state.outcomes.values()].filter((o) => o.kind === 'skipped').length;
  if (!skipped) return showEmpty();
  const items = skipped === 1 ? '1 skipped item is' : `${skipped} skipped items are`;
  const text = `${items} still pending: pick one in the queue, or press R to start again from the newest.`;
  showEmpty(text, 'End of the queue');
}

async function select(index) {
  if (index < 0 || index >= state.items.length) return;
  state.index = index;
  renderQueue();
  await renderItem();
}

handlers.select = select;

async function decide(body, item = current()) {
  if (!item || state.busy || !isPending(item.id)) return;
  state.busy = true;
  renderActions(item);
  try {
    const { status, body: answer } = await api(`/api/items/${encodeURIComponent(item.id)}/decision`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (status === 200) {
      state.reviewed += 1;
      state.total = Math.max(0, state.total - 1);
      const text = answer.label ? `✓ ${answer.label} → ${answer.route}` : 'dismissed';
      state.outcomes.set(item.id, { kind: answer.label ? 'labelled' : 'dismissed', text });
      toast(
        answer.label
          ? `Labelled ${answer.label}: the order goes ${answer.route}.`
          : 'Dismissed the broken item.',
      );
    } else if (status === 409) {
      state.total = Math.max(0, state.total - 1);
      state.outcomes.set(item.id, takenOutcome(answer.closed));
      toast(`Not saved: ${answer.message}.`, 'warn');
    } else if (status === 404) {
      state.total = Math.max(0, state.total - 1);
      state.outcomes.set(item.id, { kind: 'taken', text: 'gone' });
      toast(`Not saved: ${answer.message}.`, 'warn');
    } else {
      toast(`Not saved (${status}): ${answer.message}`, 'error');
      return;
    }
  } catch (error) {
    toast(`Not saved: the review server did not answer (${error.message}).`, 'error');
    return;
  } finally {
    state.busy = false;
    renderCounts();
    renderActions(item);
  }
  await advance();
}

function label(name) {
  const item = current();
  if (canLabel(item)) return decide({ label: name }, item);
}

function dismiss() {
  const item = current();
  const problem = problemOf(item);
  if (item && problem && isPending(item.id)) return decide({ dismiss: problem }, item);
}

function skip() {
  const item = current();
  if (!item) return;
  if (!state.outcomes.has(item.id)) state.outcomes.set(item.id, { kind: 'skipped', text: 'skipped' });
  return advance();
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target instanceof HTMLElement && event.target.closest('input, textarea, select')) return;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const action = {
    s: skip,
    ArrowRight: skip,
    ArrowLeft: () => select(state.index - 1),
    d: dismiss,
    '[': () => loadPage(state.offset - (state.session?.pageSize ?? 20)),
    ']': () => !$('older').disabled && loadPage(state.offset + stillPending()),
    r: () => loadPage(0, { refresh: true }),
  }[key];
  if (KEYS[key]) label(KEYS[key]);
  else if (action) action();
  else return;
  event.preventDefault();
}

async function start() {
  for (const button of document.querySelectorAll('.label')) {
    button.addEventListener('click', () => label(button.dataset.label));
  }
  $('skip').addEventListener('click', skip);
  $('dismiss').addEventListener('click', dismiss);
  $('refresh').addEventListener('click', () => loadPage(0, { refresh: true }));
  $('newer').addEventListener('click', () => loadPage(state.offset - (state.session?.pageSize ?? 20)));
  $('older').addEventListener('click', () => loadPage(state.offset + stillPending()));
  document.addEventListener('keydown', onKey);

  const { status, body } = await api('/api/session');
  if (status !== 200) {
    toast(`The review server did not start a session: ${body.message}`, 'error');
    return;
  }
  state.session = body;
  $('reviewer').textContent = body.reviewer;
  $('where').textContent =
    `s3://${body.bucket}/${body.reviewPrefix}${body.target ? ` · ${body.target}` : ''}`;
  await loadPage(0);
}

start();
