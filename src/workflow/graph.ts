/**
 * A picture of the state machine, optionally with one execution's path drawn over it: the states
 * it entered (green), the state it failed in (red), and the rest greyed. Rendered as SVG (sharp
 * turns it into PNG). Layout: one row per depth from StartAt; error transitions (Catch) run down a
 * gutter on the right so they never cross a state.
 */

interface StateDefinition {
  Type: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  Choices?: { Next: string }[];
  Catch?: { Next: string }[];
}

interface Edge {
  from: string;
  to: string;
  kind: 'next' | 'catch';
}

export interface ExecutionPath {
  /** States the execution entered, in order. */
  entered: string[];
  /** The state the execution failed in, if it failed. */
  failedIn?: string;
}

function edgesOf(states: Record<string, StateDefinition>): Edge[] {
  const edges: Edge[] = [];
  for (const [from, state] of Object.entries(states)) {
    const targets = [state.Next, ...(state.Choices ?? []).map((c) => c.Next), state.Default];
    for (const to of new Set(targets.filter((t): t is string => !!t))) edges.push({ from, to, kind: 'next' });
    for (const to of new Set((state.Catch ?? []).map((c) => c.Next))) edges.push({ from, to, kind: 'catch' });
  }
  return edges;
}

/**
 * The transitions that close a loop (a Wait/Describe poll going back to its Describe): found by a
 * depth-first walk from StartAt, an edge to a state still on the walk's stack. Layering leaves
 * them out, or a loop would push its states down without end.
 */
function backEdges(startAt: string, edges: Edge[]): Set<Edge> {
  const out = new Map<string, Edge[]>();
  for (const edge of edges)
    if (edge.kind === 'next') out.set(edge.from, [...(out.get(edge.from) ?? []), edge]);
  const back = new Set<Edge>();
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string) => {
    state.set(name, 'open');
    for (const edge of out.get(name) ?? []) {
      const seen = state.get(edge.to);
      if (seen === 'open') back.add(edge);
      else if (seen === undefined) visit(edge.to);
    }
    state.set(name, 'done');
  };
  visit(startAt);
  return back;
}

/** Depth of each state: the longest chain of transitions from StartAt, loops left out. */
function layers(
  startAt: string,
  states: Record<string, StateDefinition>,
  edges: Edge[],
): Map<string, number> {
  const back = backEdges(startAt, edges);
  // Catch transitions count too: a state reached only through a Catch sits below its catcher.
  const forward = edges.filter((edge) => !back.has(edge));
  const depth = new Map<string, number>([[startAt, 0]]);
  // Without back edges the graph has no cycle: relaxing as many times as there are states settles it.
  for (let round = 0, changed = true; changed && round <= Object.keys(states).length; round++) {
    changed = false;
    for (const edge of forward) {
      const d = depth.get(edge.from);
      if (d !== undefined && (depth.get(edge.to) ?? -1) < d + 1) {
        depth.set(edge.to, d + 1);
        changed = true;
      }
    }
  }
  const last = Math.max(...depth.values()) + 1;
  for (const name of Object.keys(states)) if (!depth.has(name)) depth.set(name, last);
  return depth;
}

const BOX = { width: 190, height: 40, rowGap: 40, colGap: 30, margin: 30, gutter: 60 };

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string,
  );
}

export function renderWorkflowSvg(definition: Record<string, unknown>, execution?: ExecutionPath): string {
  const states = definition.States as Record<string, StateDefinition>;
  const edges = edgesOf(states);
  const depth = layers(definition.StartAt as string, states, edges);
  const rows: string[][] = [];
  for (const [name, d] of depth) rows[d] = [...(rows[d] ?? []), name];
  const widest = Math.max(...rows.map((r) => r.length));
  const contentWidth = widest * BOX.width + (widest - 1) * BOX.colGap;
  const width = contentWidth + 2 * BOX.margin + BOX.gutter;
  const height = rows.length * (BOX.height + BOX.rowGap) - BOX.rowGap + 2 * BOX.margin + (execution ? 20 : 0);
  const position = new Map<string, { x: number; y: number }>();
  rows.forEach((row, d) => {
    const rowWidth = row.length * BOX.width + (row.length - 1) * BOX.colGap;
    row.forEach((name, i) => {
      position.set(name, {
        x: BOX.margin + (contentWidth - rowWidth) / 2 + i * (BOX.width + BOX.colGap),
        y: BOX.margin + d * (BOX.height + BOX.rowGap),
      });
    });
  });

  const visited = new Set(execution?.entered ?? []);
  const taken = new Set((execution?.entered ?? []).slice(1).map((to, i) => `${execution?.entered[i]}>${to}`));
  const colourOf = (name: string) => {
    if (!execution) return { fill: '#eef3fb', stroke: '#4a6fa5' };
    if (name === execution.failedIn) return { fill: '#fde8e8', stroke: '#c0392b' };
    return visited.has(name)
      ? { fill: '#e6f6ea', stroke: '#2e8b57' }
      : { fill: '#f4f4f4', stroke: '#bbbbbb' };
  };

  const parts: string[] = [];
  const gutterX = BOX.margin + contentWidth + BOX.gutter / 2;
  for (const edge of edges) {
    const a = position.get(edge.from);
    const b = position.get(edge.to);
    if (!a || !b) continue;
    // A Catch that goes where the state's Next goes too: the path took the Next (a history tells no more).
    const alsoNext =
      edge.kind === 'catch' &&
      edges.some((e) => e.kind === 'next' && e.from === edge.from && e.to === edge.to);
    const onPath = taken.has(`${edge.from}>${edge.to}`) && !alsoNext;
    const stroke = !execution || onPath ? (edge.kind === 'catch' ? '#c0392b' : '#333333') : '#cccccc';
    const dash = edge.kind === 'catch' ? ' stroke-dasharray="5,4"' : '';
    const points =
      edge.kind === 'catch'
        ? [
            [a.x + BOX.width, a.y + BOX.height / 2],
            [gutterX, a.y + BOX.height / 2],
            [gutterX, b.y + BOX.height / 2],
            [b.x + BOX.width, b.y + BOX.height / 2],
          ]
        : [
            [a.x + BOX.width / 2, a.y + BOX.height],
            [b.x + BOX.width / 2, b.y],
          ];
    parts.push(
      `<polyline points="${points.map((p) => p.join(',')).join(' ')}" fill="none" stroke="${stroke}" stroke-width="${onPath ? 2.5 : 1.2}"${dash} marker-end="url(#arrow)"/>`,
    );
  }
  for (const [name, { x, y }] of position) {
    const { fill, stroke } = colourOf(name);
    const type = states[name]?.Type ?? '';
    const rx = type === 'Choice' ? 20 : 6;
    parts.push(
      `<rect x="${x}" y="${y}" width="${BOX.width}" height="${BOX.height}" rx="${rx}" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>`,
      `<text x="${x + BOX.width / 2}" y="${y + 17}" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(name)}</text>`,
      `<text x="${x + BOX.width / 2}" y="${y + 32}" text-anchor="middle" font-size="10" fill="#666666">${type}</text>`,
    );
  }
  if (execution) {
    const outcome = execution.failedIn ? `failed in ${execution.failedIn}` : 'succeeded';
    parts.push(
      `<text x="${BOX.margin}" y="${height - 10}" font-size="12">execution ${outcome}; path in green</text>`,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555555"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
  ].join('\n');
}

/**
 * The path of an execution, from its history: the embedded engine's events (`StateEntered`,
 * `StateFailed`) or Step Functions' (`TaskStateEntered`, `TaskFailed`, `LambdaFunctionFailed`, ...).
 */
export function executionPath(history: { type: string; state?: { name: string } }[]): ExecutionPath {
  const entered: string[] = [];
  let failedIn: string | undefined;
  for (const event of history) {
    if (event.type.endsWith('StateEntered') && event.state) entered.push(event.state.name);
    if (event.type === 'StateFailed' && event.state) failedIn = event.state.name;
    if (event.type === 'TaskFailed' || event.type === 'LambdaFunctionFailed') failedIn = entered.at(-1);
  }
  return { entered, ...(failedIn ? { failedIn } : {}) };
}
