/** The metrics port's one path (under the base path too), as the engine serves it; the journal's searches name scrapes by it. */
export const METRICS_PATH = '/metrics';
