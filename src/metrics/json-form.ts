/**
 * The JSON form the engine answers with `Accept: application/json`: Prometheus's MetricFamily
 * protobuf message as JSON, the shape engine-discovery and license tests read
 * (`metric[0].gauge.value`). prom-client gives its own JSON (samples with labels); this regroups it.
 */
import type { MetricObjectWithValues, MetricValue } from 'prom-client';

export interface LabelPair {
  name: string;
  value: string;
}

export interface Bucket {
  cumulativeCount: number;
  upperBound: number;
}

export interface Metric {
  label: LabelPair[];
  gauge?: { value: number };
  counter?: { value: number };
  /** The +Inf bucket is left out, as in the protobuf form: sampleCount holds it. */
  histogram?: { sampleCount: number; sampleSum: number; bucket: Bucket[] };
  summary?: { sampleCount: number; sampleSum: number; quantile: { quantile: number; value: number }[] };
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY';
  metric: Metric[];
}

type Sample = MetricValue<string> & { metricName?: string };

function labelPairs(labels: Record<string, string | number | undefined>, leave: string): LabelPair[] {
  return Object.entries(labels)
    .filter(([name, value]) => name !== leave && value !== undefined)
    .map(([name, value]) => ({ name, value: String(value) }));
}

/** Histogram and summary samples come flat (`_bucket`, `_sum`, `_count`, quantiles): one metric per label set. */
function grouped(samples: Sample[], leave: string): Map<string, { label: LabelPair[]; samples: Sample[] }> {
  const groups = new Map<string, { label: LabelPair[]; samples: Sample[] }>();
  for (const sample of samples) {
    const label = labelPairs(sample.labels, leave);
    const key = JSON.stringify(label);
    const group = groups.get(key) ?? { label, samples: [] };
    group.samples.push(sample);
    groups.set(key, group);
  }
  return groups;
}

function histogramMetrics(name: string, samples: Sample[]): Metric[] {
  return [...grouped(samples, 'le').values()].map(({ label, samples: own }) => {
    const valueOf = (suffix: string) => own.find((s) => s.metricName === `${name}${suffix}`)?.value ?? 0;
    const bucket = own
      .filter((s) => s.metricName === `${name}_bucket` && s.labels.le !== '+Inf')
      .map((s) => ({ cumulativeCount: s.value, upperBound: Number(s.labels.le) }));
    return { label, histogram: { sampleCount: valueOf('_count'), sampleSum: valueOf('_sum'), bucket } };
  });
}

function summaryMetrics(name: string, samples: Sample[]): Metric[] {
  return [...grouped(samples, 'quantile').values()].map(({ label, samples: own }) => {
    const valueOf = (suffix: string) => own.find((s) => s.metricName === `${name}${suffix}`)?.value ?? 0;
    const quantile = own.filter((s) => s.labels.quantile !== undefined).map((s) => ({ quantile: Number(s.labels.quantile), value: s.value }));
    return { label, summary: { sampleCount: valueOf('_count'), sampleSum: valueOf('_sum'), quantile } };
  });
}

function family({ name, help, type, values }: MetricObjectWithValues<Sample>): MetricFamily {
  const samples = values as Sample[];
  switch (String(type)) {
    case 'histogram':
      return { name, help, type: 'HISTOGRAM', metric: histogramMetrics(name, samples) };
    case 'summary':
      return { name, help, type: 'SUMMARY', metric: summaryMetrics(name, samples) };
    case 'counter':
      return { name, help, type: 'COUNTER', metric: samples.map((s) => ({ label: labelPairs(s.labels, ''), counter: { value: s.value } })) };
    default:
      return { name, help, type: 'GAUGE', metric: samples.map((s) => ({ label: labelPairs(s.labels, ''), gauge: { value: s.value } })) };
  }
}

export function jsonForm(families: MetricObjectWithValues<Sample>[]): MetricFamily[] {
  return families.map(family);
}
