// Drawing the queue, the item in focus and its actions from `state`.

import { $, el, percent, relativeTime } from './dom.js';
import { canLabel, current, isPending, noteImageProblem, problemOf, state, stillPending } from './state.js';

/** Set by review.js: what a click on a queue entry does. */
export const handlers = { select: (_index) => undefined };

export function renderCounts() {
  $('pending-count').textContent = state.total.toLocaleString();
  $('done-count').textContent = state.reviewed.toLocaleString();
  const first = state.items.length ? state.offset + 1 : 0;
  $('range').textContent = state.items.length
    ? `${first.toLocaleString()}–${(state.offset + state.items.length).toLocaleString()}`
    : '';
  $('newer').disabled = state.offset === 0;
  $('older').disabled = state.offset + stillPending() >= state.total;
}

function queueEntry(item, index) {
  const outcome = state.outcomes.get(item.id);
  const broken = item.status !== 'ok' || state.imageProblems.has(item.id);
  const thumb =
    item.imageUrl && !broken
      ? el('img', { class: 'q-thumb', src: item.imageUrl, alt: '', loading: 'lazy' })
      : el('span', { class: 'q-thumb broken', 'aria-hidden': 'true', text: '!' });
  if (thumb.tagName === 'IMG') {
    const marked = () => noteImageProblem(item).then(renderQueue);
    thumb.addEventListener('error', marked, { once: true });
  }
  const title = item.prediction ? item.prediction.label : item.status === 'closed' ? 'closed' : 'broken item';
  const sub = outcome ? outcome.text : relativeTime(item.prediction?.decidedAt ?? item.lastModified);
  const button = el(
    'button',
    { type: 'button', class: `q-item${outcome && outcome.kind !== 'skipped' ? ' done' : ''}` },
    thumb,
    el('span', { class: 'q-title', text: title }),
    el('span', { class: 'q-conf', text: item.prediction ? percent(item.prediction.confidence) : '' }),
    el('span', { class: 'q-sub', text: sub }),
  );
  if (index === state.index) button.setAttribute('aria-current', 'true');
  button.addEventListener('click', () => handlers.select(index));
  return el('li', {}, button);
}

export function renderQueue() {
  $('queue-list').replaceChildren(...state.items.map(queueEntry));
  $('queue-list').querySelector('[aria-current="true"]')?.scrollIntoView({ block: 'nearest' });
  renderCounts();
}

export function showEmpty(text, title = 'All caught up') {
  $('loading').hidden = true;
  $('item').hidden = true;
  delete $('item').dataset.id;
  $('empty').hidden = false;
  $('empty-title').textContent = title;
  $('empty-text').textContent = text ?? 'No item waits for review. New ones appear after Refresh (R).';
  renderQueue();
}

function renderProbabilities(prediction) {
  const threshold = prediction.threshold;
  $('probs').replaceChildren(
    ...prediction.probabilities.map(({ label: name, probability }) => {
      const bar = el(
        'span',
        { class: 'prob-bar', 'aria-hidden': 'true' },
        el('span', { class: 'prob-fill', style: { width: `${(100 * probability).toFixed(1)}%` } }),
      );
      if (threshold !== null)
        bar.append(el('span', { class: 'prob-mark', style: { left: `${100 * threshold}%` } }));
      return el(
        'li',
        { class: `prob ${name}` },
        el('span', { class: 'prob-name', text: name }),
        bar,
        el('span', { class: 'prob-value', text: percent(probability) }),
      );
    }),
  );
}

export async function renderItem() {
  const item = current();
  $('loading').hidden = true;
  if (!item) return showEmpty();
  $('empty').hidden = true;
  $('item').hidden = false;
  // Position among the items still pending: those closed on this page have left the count.
  const before = state.items.slice(0, state.index).filter((other) => isPending(other.id)).length;
  const position = isPending(item.id) ? `Item ${(state.offset + before + 1).toLocaleString()} of ` : '';
  $('position').textContent = `${position}${state.total.toLocaleString()} pending`;
  const prediction = item.prediction;
  $('title-text').textContent = prediction ? 'Model says' : 'Broken review item';
  $('pred-label').hidden = !prediction;
  $('pred-label').textContent = prediction?.label ?? '';
  $('pred-label').className = `pill ${prediction?.label ?? ''}`;
  $('confidence-line').hidden = !prediction;
  $('confidence').textContent = prediction ? percent(prediction.confidence) : '';
  $('threshold').textContent = prediction?.threshold != null ? percent(prediction.threshold) : 'unknown';
  if (prediction) renderProbabilities(prediction);
  else $('probs').replaceChildren();
  const time = prediction?.decidedAt ?? item.lastModified;
  $('flagged').textContent = time ? `${relativeTime(time)} · ${new Date(time).toLocaleString()}` : '—';
  if (time) $('flagged').setAttribute('datetime', time);
  $('image-label').textContent = prediction ? 'Image' : 'Item';
  $('image-uri').textContent = prediction?.image ?? item.key;
  $('inference-id').textContent = item.inferenceId;
  renderActions(item); // labels stay disabled until the image is on screen
  await renderPhoto(item);
  if (current() !== item) return; // the reviewer moved on while the image loaded
  renderActions(item);
  // Set last, once the item is fully shown: what tests and the first-render benchmark wait for.
  $('item').dataset.id = item.id;
}

/** Shows the item's image; resolves once it is shown or known to be unavailable. */
function renderPhoto(item) {
  const photo = $('photo');
  const known = problemOf(item);
  if (known || !item.imageUrl) {
    photo.removeAttribute('src');
    photo.hidden = true;
    showPhotoProblem(item.status === 'ok' ? 'Image unavailable' : 'Broken review item', known ?? '');
    return Promise.resolve();
  }
  $('photo-problem').hidden = true;
  photo.hidden = false;
  photo.alt = `Image under review, predicted ${item.prediction.label}`;
  state.photoShown = undefined;
  if (photo.complete && photo.naturalWidth > 0 && photo.getAttribute('src') === item.imageUrl) {
    state.photoShown = item.id; // back to the image already on screen
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    photo.onload = () => {
      state.photoShown = item.id;
      resolve();
    };
    photo.onerror = async () => {
      await noteImageProblem(item);
      if (current() === item) {
        photo.hidden = true;
        showPhotoProblem('Image unavailable', state.imageProblems.get(item.id) ?? '');
        renderActions(item);
        renderQueue();
      }
      resolve();
    };
    photo.src = item.imageUrl;
  });
}

function showPhotoProblem(title, detail) {
  const box = $('photo-problem');
  box.replaceChildren(el('strong', { text: title }), el('small', { text: detail }));
  box.hidden = false;
}

export function renderActions(item) {
  const outcome = state.outcomes.get(item?.id);
  const problem = problemOf(item);
  for (const button of document.querySelectorAll('.label')) button.disabled = state.busy || !canLabel(item);
  $('dismiss').hidden = !problem;
  $('dismiss').disabled = state.busy || !isPending(item?.id);
  $('skip').disabled = state.busy || !item;
  const box = $('problem');
  if (outcome && outcome.kind !== 'skipped') {
    box.replaceChildren(el('strong', { text: 'Closed: ' }), outcome.text);
    box.hidden = false;
  } else if (problem) {
    box.replaceChildren(
      el('strong', { text: 'Cannot be labelled. ' }),
      `${problem} — dismiss it (D) to take it off the queue; the item is kept with its closing record.`,
    );
    box.hidden = false;
  } else {
    box.hidden = true;
  }
}
