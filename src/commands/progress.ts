/**
 * Progress of long steps on a terminal: the CLI passes these only when stderr is a TTY, so logs
 * and pipes never get carriage returns.
 */
import type { GenerationProgress } from '../scenarios/generate';

/**
 * One line redrawn in place while a scenario's generators run, "scenario large: generating apps
 * 1250/5000", ended with a newline when the last app is made.
 */
export function generationProgress(write: (text: string) => void, scenario: string): GenerationProgress {
  return (done, total) => write(`\rscenario ${scenario}: generating apps ${done}/${total}${done === total ? '\n' : ''}`);
}
