/**
 * Reading /metrics as monitors do: the text form through parse-prometheus-text-format (an npm
 * parser; it has no types of its own), the JSON form as engine-discovery reads it. It flattens the
 * buckets of a histogram with labels into one map, so labelled histograms are read in JSON form.
 */
import type { MetricFamily } from '../../src/metrics/json-form';

export interface ParsedSample {
  value?: string;
  labels?: Record<string, string>;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}

export interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  metrics: ParsedSample[];
}

export function parsePrometheusText(text: string): ParsedFamily[] {
  return (require('parse-prometheus-text-format') as (input: string) => ParsedFamily[])(text);
}

/** The value of a counter or gauge sample whose labels include `labels`; throws when there is none. */
export function sampleValue(families: ParsedFamily[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  if (!family) throw new Error(`no family ${name} in ${families.map((f) => f.name).join(', ')}`);
  const sample = family.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (sample?.value === undefined) throw new Error(`no sample of ${name} with ${JSON.stringify(labels)}: ${JSON.stringify(family.metrics)}`);
  return Number(sample.value);
}

/** The metric of a JSON-form family whose labels include `labels`. */
export function jsonMetric(families: MetricFamily[], name: string, labels: Record<string, string> = {}) {
  const family = families.find((f) => f.name === name);
  if (!family) throw new Error(`no family ${name}`);
  return family.metric.find((m) => Object.entries(labels).every(([k, v]) => m.label.some((l) => l.name === k && l.value === v)));
}

export async function scrapeText(metricsUrl: string, headers: Record<string, string> = {}): Promise<ParsedFamily[]> {
  const response = await fetch(metricsUrl, { headers });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${await response.text()}`);
  return parsePrometheusText(await response.text());
}

export async function scrapeJson(metricsUrl: string, headers: Record<string, string> = {}): Promise<MetricFamily[]> {
  const response = await fetch(metricsUrl, { headers: { accept: 'application/json', ...headers } });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as MetricFamily[];
}
