/** The DAG graph webview: draws the tasks and dependencies the host sends, as SVG; a click reveals the task. */
import type { DagGraph, DagGraphNode, GraphComparison, GraphHostToWebview, GraphMark, GraphWebviewToHost } from '../../server/src/protocol';
import { layout, NODE_HEIGHT, NODE_WIDTH } from './graphLayout';

interface VsCodeApi {
  postMessage(message: GraphWebviewToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
const root = document.getElementById('graph')!;
const title = document.getElementById('title')!;
const picker = document.getElementById('dag') as HTMLSelectElement;
const summary = document.getElementById('summary')!;
const MARK_WORD: Record<GraphMark, string> = { added: 'added', removed: 'removed', changed: 'changed' };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  parent?.appendChild(element);
  return element;
}

/** Long ids are cut to fit the box; the full id is in the tooltip. */
function fit(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function drawNode(parent: Element, node: DagGraphNode, x: number, y: number): void {
  const group = svg('g', { class: `node${node.mark ? ` ${node.mark}` : ''}`, transform: `translate(${x},${y})`, tabindex: 0, role: 'button', 'data-task': node.id, ...(node.mark ? { 'data-mark': node.mark } : {}) }, parent);
  svg('title', {}, group).textContent = `${node.id} (${node.operator})${node.group ? ` in ${node.group}` : ''}${node.mark ? ` · ${MARK_WORD[node.mark]}` : ''}`;
  svg('rect', { width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6, class: node.group ? 'grouped' : '' }, group);
  const short = node.group && node.id.startsWith(`${node.group}.`) ? node.id.slice(node.group.length + 1) : node.id;
  svg('text', { x: 10, y: 18, class: 'id' }, group).textContent = fit(short, 22);
  svg('text', { x: 10, y: 35, class: 'operator' }, group).textContent = fit(node.group ? `${node.operator} · ${node.group}` : node.operator, 28);
  // A removed task exists only in the other version: there is nothing in this file to reveal.
  const reveal = (): void => {
    if (node.mark !== 'removed') vscode.postMessage({ type: 'reveal', range: node.range });
  };
  group.addEventListener('click', reveal);
  group.addEventListener('keydown', (event) => {
    if ((event as KeyboardEvent).key === 'Enter') reveal();
  });
}

/** Compare with Live: the text summary beside the graph, as plain text (it comes from the DAG files). */
function showSummary(comparison: GraphComparison | undefined): void {
  summary.hidden = !comparison;
  if (!comparison) return summary.replaceChildren();
  const heading = document.createElement('h2');
  heading.textContent = `Compared with ${comparison.against}`;
  const lines = document.createElement('pre');
  lines.textContent = comparison.lines.join('\n');
  summary.replaceChildren(heading, lines);
}

function render(graph: DagGraph, comparison?: GraphComparison): void {
  showSummary(comparison);
  title.textContent = `${graph.dagId} · ${graph.nodes.length} task${graph.nodes.length === 1 ? '' : 's'}`;
  picker.replaceChildren(...graph.dagIds.map((id) => new Option(id, id, id === graph.dagId, id === graph.dagId)));
  picker.hidden = graph.dagIds.length < 2;
  const placed = layout(graph);
  const position = new Map(placed.nodes.map((n) => [n.id, n]));
  const canvas = svg('svg', { width: placed.width, height: placed.height, viewBox: `0 0 ${placed.width} ${placed.height}`, role: 'img', 'aria-label': `Graph of DAG ${graph.dagId}` });
  const defs = svg('defs', {}, canvas);
  // One arrowhead per edge kind: a marker takes its colour from its own class, not from the edge it ends.
  for (const kind of ['', 'added', 'removed']) {
    const marker = svg('marker', { id: kind ? `arrow-${kind}` : 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, defs);
    svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: `arrowhead${kind ? ` ${kind}` : ''}` }, marker);
  }
  const edges = svg('g', { class: 'edges' }, canvas);
  for (const edge of graph.edges) {
    const from = position.get(edge.upstream);
    const to = position.get(edge.downstream);
    if (!from || !to) continue;
    const [x1, y1, x2, y2] = [from.x + NODE_WIDTH, from.y + NODE_HEIGHT / 2, to.x, to.y + NODE_HEIGHT / 2];
    const bend = Math.max(30, Math.abs(x2 - x1) / 2);
    const kind = `edge${to.layer <= from.layer ? ' back' : ''}${edge.mark ? ` ${edge.mark}` : ''}`;
    svg('path', { d: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`, 'marker-end': `url(#arrow${edge.mark ? `-${edge.mark}` : ''})`, class: kind, ...(edge.mark ? { 'data-mark': edge.mark } : {}) }, edges);
  }
  const nodes = svg('g', { class: 'nodes' }, canvas);
  for (const node of graph.nodes) {
    const at = position.get(node.id)!;
    drawNode(nodes, node, at.x, at.y);
  }
  root.replaceChildren(canvas);
  const marks = comparison ? countMarks() : undefined;
  vscode.postMessage({ type: 'rendered', dagId: graph.dagId, nodes: graph.nodes.length, edges: graph.edges.length, ...(marks ? { marks } : {}) });
}

/** What the drawing marks (read back from the SVG, so the count is what is on screen). */
function countMarks(): Record<GraphMark, number> {
  const count = (mark: GraphMark): number => root.querySelectorAll(`[data-mark="${mark}"]`).length;
  return { added: count('added'), removed: count('removed'), changed: count('changed') };
}

window.addEventListener('message', (event: MessageEvent<GraphHostToWebview>) => {
  const message = event.data;
  if (message.type === 'graph') render(message.graph, message.comparison);
  else if (message.type === 'empty') {
    title.textContent = message.message;
    picker.hidden = true;
    root.replaceChildren();
    showSummary(undefined);
  }
});
picker.addEventListener('change', () => vscode.postMessage({ type: 'selectDag', dagId: picker.value }));
vscode.postMessage({ type: 'ready' });
