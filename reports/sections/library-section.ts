import type { CohostingCell, CompatibilityCell, RunResults } from '../../bench/results/schema.js';
import type { Block, Cell } from '../document.js';
import { DASH, formatMs, formatNumber } from '../format.js';
import { buildSectionHeader } from './section-status.js';

/** The part of a loader error a reader needs: the missing symbol version or the IR/opset limit, else its start. */
export function shortenLoaderError(error: string | null): string {
  if (!error) return '';
  const symbol = /version [`']?(VERS_[\d.]+)'? not found/.exec(error);
  if (symbol) return `version '${symbol[1]}' not found`;
  const ir = /Unsupported model IR version: \d+, max supported IR version: \d+/.exec(error);
  if (ir) return ir[0];
  const signal = /signal (SIG\w+)/.exec(error);
  if (signal) return `crashed (${signal[1]})`;
  return error.length > 160 ? `${error.slice(0, 157)}…` : error;
}

/** One compatibility cell: bare ms when it loads and matches, else why not (full error as the title). */
function compatibilityCell(cell: CompatibilityCell | undefined): Cell {
  if (!cell) return DASH;
  if (!cell.valid) return { text: `unmeasured: ${shortenLoaderError(cell.error)}`, tone: 'invalid', title: cell.error ?? '' };
  if (!cell.loads) return { text: `✗ does not load: ${shortenLoaderError(cell.error)}`, tone: 'bad', title: cell.error ?? '' };
  if (cell.matchesReference === false) return { text: `✗ wrong outputs (max diff ${formatNumber(cell.maxAbsDiff)})`, tone: 'bad', title: cell.error ?? '' };
  const reference = cell.referenceRuntime === cell.runtime ? ', reference' : cell.maxAbsDiff !== null ? `, max diff ${cell.maxAbsDiff === 0 ? '0' : cell.maxAbsDiff.toExponential(1)}` : '';
  return { text: `✓ ${formatMs(cell.medianMs)}${reference}`, tone: 'good' };
}

/** One co-hosting cell: whether both ran correctly in one process, else the error. */
function cohostingCell(cell: CohostingCell | undefined, same: boolean): Cell {
  if (same) return { text: 'same runtime', tone: 'muted' };
  if (!cell) return DASH;
  if (cell.coexist === null) return { text: cell.error ?? 'not tried', tone: 'muted' };
  if (cell.coexist) return { text: `✓ both run (${cell.firstModel} + ${cell.secondModel})`, tone: 'good' };
  if (cell.signal !== null || (cell.exitCode !== null && cell.exitCode !== 0)) return { text: `✗ the process crashed (${cell.signal ?? `exit ${cell.exitCode}`})${cell.firstOk || cell.secondOk ? '' : ' before either model answered'}`, tone: 'bad', title: cell.error ?? '' };
  const which = !cell.firstOk ? 'first' : !cell.secondOk ? 'second' : 'process';
  return { text: `✗ ${which} fails: ${shortenLoaderError(cell.error)}`, tone: 'bad', title: cell.error ?? '' };
}

/** The compatibility matrix model × runtime and the co-hosting matrix runtime × runtime, then the consequences. */
export function buildLibrarySection(results: RunResults): Block[] {
  const { blocks, present } = buildSectionHeader(results, 'library');
  const section = results.experiments.library;
  if (!present || !section) return blocks;
  const runtimes = section.runtimes.length > 0 ? section.runtimes.map((r) => r.name) : [...new Set(section.results.map((c) => c.runtime))];
  const versions = new Map(section.runtimes.map((r) => [r.name, `${r.name} (${r.version})`]));
  const models = [...new Set(section.results.map((c) => c.model))];
  const tolerance = section.tolerance ? ` Outputs match the reference when |output − reference| ≤ ${section.tolerance.abs} + ${section.tolerance.rel}·|reference| element-wise.` : '';
  blocks.push({ kind: 'heading', level: 3, text: 'Compatibility: model × runtime (median bare ms per call, each cell in its own process)' });
  blocks.push({ kind: 'paragraph', text: `✓ = loads and its outputs match the reference.${tolerance}` });
  blocks.push({ kind: 'table', table: { id: 'library-compatibility', columns: ['model', ...runtimes.map((r) => versions.get(r) ?? r)], rows: models.map((model) => [model, ...runtimes.map((runtime) => compatibilityCell(section.results.find((c) => c.model === model && c.runtime === runtime)))]) } });
  const failures = section.results.filter((c) => !c.loads || c.matchesReference === false || !c.valid);
  if (failures.length > 0) blocks.push({ kind: 'list', items: failures.map((c) => `${c.model} on ${c.runtime}: ${c.error ?? 'no error recorded'}`) });
  if (section.cohosting.length > 0) {
    blocks.push({ kind: 'heading', level: 3, text: 'Co-hosting: runtime loaded first (row) × runtime loaded second (column), in one process' });
    blocks.push({ kind: 'table', table: { id: 'library-cohosting', columns: ['first \\ second', ...runtimes], rows: runtimes.map((first) => [first, ...runtimes.map((second) => cohostingCell(section.cohosting.find((c) => c.first === first && c.second === second), first === second))]) } });
  }
  blocks.push(...buildConsequenceBlocks(section.consequences));
  return blocks;
}

/** What the matrices imply: the monolith's runtime options, per-model loss, and the cost of one model needing a new runtime. */
function buildConsequenceBlocks(consequences: NonNullable<RunResults['experiments']['library']>['consequences']): Block[] {
  if (!consequences) return [{ kind: 'not-measured', title: 'Consequences', reason: 'the matrices were not completed, so no consequences were computed' }];
  const options = consequences.monolithOptions.map((o) => `${o.runtimes.join(' + ')} (loses ${formatMs(o.latencyLostMs)} per call summed over models)`);
  const choice = consequences.monolithChoice;
  return [
    { kind: 'heading', level: 3, text: 'Consequences for each topology' },
    { kind: 'paragraph', text: options.length > 0 ? `Runtime sets the monolith can use at all (every model loads correctly, every pair co-hosts): ${options.join('; ')}. It takes ${choice ? choice.runtimes.join(' + ') : DASH}. Microservices run each model on its fastest runtime.` : 'The monolith cannot serve every model on any runtime, nor on any pair of runtimes that co-host: at least one model must leave it.' },
    {
      kind: 'table',
      table: {
        id: 'library-consequences',
        columns: ['model', 'runs on', 'best runtime (microservices)', 'monolith runtime', 'latency lost per call', 'slowdown'],
        rows: consequences.perModel.map((m) => [
          m.model,
          m.usableRuntimes.length > 0 ? m.usableRuntimes.join(', ') : { text: 'none', tone: 'bad' },
          m.bestRuntime ? `${m.bestRuntime} (${formatMs(m.bestMs)})` : DASH,
          m.monolithRuntime ? `${m.monolithRuntime} (${formatMs(m.monolithMs)})` : { text: 'cannot be served', tone: 'bad' },
          formatMs(m.lostMs),
          m.lostRatio === null ? DASH : `${formatNumber(m.lostRatio)}×`,
        ]),
      },
    },
    {
      kind: 'table',
      table: {
        id: 'library-runtime-change',
        columns: ['one model needs runtime X (counted from the deployment plan)', 'models to re-validate', 'processes to restart'],
        rows: [
          ['monolith', String(consequences.runtimeChange.monolith.modelsToRevalidate), String(consequences.runtimeChange.monolith.processesToRestart)],
          ['microservices', String(consequences.runtimeChange.microservices.modelsToRevalidate), String(consequences.runtimeChange.microservices.processesToRestart)],
        ],
      },
    },
  ];
}
