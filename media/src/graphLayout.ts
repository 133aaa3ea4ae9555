/** A layered (Sugiyama-style) left-to-right layout of a DAG's tasks: pure, no DOM. */

export interface LayoutInput {
  nodes: readonly { id: string }[];
  edges: readonly { upstream: string; downstream: string }[];
}

export interface PlacedNode {
  id: string;
  layer: number;
  x: number;
  y: number;
}

export interface Layout {
  nodes: PlacedNode[];
  width: number;
  height: number;
}

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 44;
const COLUMN_GAP = 70;
const ROW_GAP = 22;
const MARGIN = 20;

/**
 * Layers by longest path from the sources (a task sits right of everything upstream of it), then
 * orders each layer by the mean position of its upstream tasks, which keeps most edges short and
 * uncrossed. Cycles (Airflow rejects them, but the file may have one while it is typed) are broken
 * by ignoring the edges that close them.
 */
export function layout(input: LayoutInput): Layout {
  const ids = input.nodes.map((n) => n.id);
  const known = new Set(ids);
  const upstream = new Map<string, string[]>(ids.map((id) => [id, []]));
  const downstream = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const { upstream: from, downstream: to } of input.edges) {
    if (!known.has(from) || !known.has(to) || from === to) continue;
    downstream.get(from)!.push(to);
    upstream.get(to)!.push(from);
  }

  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const cached = layer.get(id);
    if (cached !== undefined) return cached;
    if (visiting.has(id)) return 0; // an edge closing a cycle
    visiting.add(id);
    const value = Math.max(-1, ...upstream.get(id)!.map(depth)) + 1;
    visiting.delete(id);
    layer.set(id, value);
    return value;
  };
  ids.forEach(depth);

  const layers: string[][] = [];
  for (const id of ids) (layers[layer.get(id)!] ??= []).push(id);
  const row = new Map<string, number>();
  layers.forEach((members) => members.forEach((id, index) => row.set(id, index)));
  for (let sweep = 0; sweep < 4; sweep++) {
    for (const members of layers.slice(1)) {
      const weight = (id: string): number => {
        const parents = upstream.get(id)!;
        return parents.length ? parents.reduce((sum, p) => sum + row.get(p)!, 0) / parents.length : row.get(id)!;
      };
      members.sort((a, b) => weight(a) - weight(b));
      members.forEach((id, index) => row.set(id, index));
    }
  }

  const tallest = Math.max(1, ...layers.map((members) => members.length));
  const columnHeight = (count: number): number => count * NODE_HEIGHT + (count - 1) * ROW_GAP;
  const nodes: PlacedNode[] = [];
  layers.forEach((members, index) => {
    const offset = (columnHeight(tallest) - columnHeight(members.length)) / 2;
    members.forEach((id, position) => {
      nodes.push({ id, layer: index, x: MARGIN + index * (NODE_WIDTH + COLUMN_GAP), y: MARGIN + offset + position * (NODE_HEIGHT + ROW_GAP) });
    });
  });
  return {
    nodes,
    width: MARGIN * 2 + Math.max(1, layers.length) * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP,
    height: MARGIN * 2 + columnHeight(tallest),
  };
}
