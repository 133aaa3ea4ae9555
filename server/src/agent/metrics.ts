/** A gauge computed when `/metrics` is read: one value per label set. */
export interface Gauge {
  readonly name: string;
  readonly help: string;
  readonly values: ReadonlyArray<readonly [Record<string, string>, number]>;
}

/** Counters and gauges in Prometheus' text exposition format; labels are fixed per series. */
export class Metrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();

  define(name: string, help: string): void {
    if (!this.counters.has(name)) this.counters.set(name, { help, values: new Map() });
  }

  increment(name: string, labels: Record<string, string> = {}, by = 1): void {
    const metric = this.counters.get(name);
    if (!metric) throw new Error(`metric ${name} is not defined`);
    const key = labelText(labels);
    metric.values.set(key, (metric.values.get(key) ?? 0) + by);
  }

  value(name: string, labels: Record<string, string> = {}): number {
    return this.counters.get(name)?.values.get(labelText(labels)) ?? 0;
  }

  render(gauges: readonly Gauge[]): string {
    const lines: string[] = [];
    for (const [name, metric] of this.counters) {
      lines.push(`# HELP ${name} ${metric.help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of metric.values) lines.push(`${name}${labels} ${value}`);
    }
    for (const gauge of gauges) {
      lines.push(`# HELP ${gauge.name} ${gauge.help}`, `# TYPE ${gauge.name} gauge`);
      for (const [labels, value] of gauge.values) lines.push(`${gauge.name}${labelText(labels)} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (!entries.length) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}
