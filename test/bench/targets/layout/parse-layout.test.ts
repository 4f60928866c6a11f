import { describe, expect, it } from 'vitest';
import { checkLayout, formatLayout, layoutOfSpec, namedLayout, parseAndCheckLayout, parseLayout, requireLayout, LayoutError } from '../../../../bench/targets/layout/index.js';
import type { TopologySpec } from '../../../../bench/targets/types.js';

const MODELS = ['vad', 'tabular', 'ocr-cls', 'ocr-det', 'ocr-rec'];
const context = { models: MODELS };

describe('parseLayout', () => {
  it('reads groups, variants, replicas, resources and the gateway', () => {
    const check = parseAndCheckLayout('light=vad,tabular,ocr-cls:workers; det=ocr-det quota=1.5 mem=512; rec=ocr-rec x2 cpus=0-1 +gateway=nginx', context);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.layout.gateway).toBe('nginx');
    expect(check.layout.groups).toEqual([
      { name: 'light', models: ['vad', 'tabular', 'ocr-cls'], variant: 'workers', replicas: 1, resources: {} },
      { name: 'det', models: ['ocr-det'], variant: 'single', replicas: 1, resources: { cpuQuota: 1.5, memoryMb: 512 } },
      { name: 'rec', models: ['ocr-rec'], variant: 'single', replicas: 2, resources: { cpus: '0-1' } },
    ]);
  });

  it('takes the example of issue 19, whose replicas need a gateway to share the traffic', () => {
    const check = parseAndCheckLayout('light=vad,tabular,ocr-cls;det=ocr-det;rec=ocr-rec x2 +gateway', context);
    expect(check.ok && check.layout.gateway).toBe('node');
    expect(check.ok && check.layout.groups.map((g) => [g.name, g.replicas])).toEqual([['light', 1], ['det', 1], ['rec', 2]]);
    const direct = parseAndCheckLayout('light=vad,tabular,ocr-cls;det=ocr-det;rec=ocr-rec x2', context);
    expect(direct.ok ? [] : direct.problems).toEqual(['group "rec" with several replicas: expected a gateway to spread requests over them (+gateway), received none (clients would reach replica 1 only)']);
    expect(parseAndCheckLayout('light=vad,tabular,ocr-cls;det=ocr-det;rec=ocr-rec', context).ok).toBe(true);
  });

  it('ignores whitespace around separators and accepts +gateway as its own item', () => {
    const check = parseAndCheckLayout(' a = vad , tabular ; b = ocr-cls,ocr-det,ocr-rec ; +gateway ', context);
    expect(check.ok && check.layout.groups.map((g) => g.models)).toEqual([['vad', 'tabular'], ['ocr-cls', 'ocr-det', 'ocr-rec']]);
    expect(check.ok && check.layout.gateway).toBe('node');
  });

  it('writes a layout back in the grammar it reads', () => {
    const text = 'light=vad,tabular:workers x3 cpus=1 quota=0.5 mem=256; heavy=ocr-cls,ocr-det,ocr-rec +gateway=nginx';
    const parsed = parseLayout(text);
    expect(parsed.problems).toEqual([]);
    expect(formatLayout(parsed.draft)).toBe(text);
    expect(parseLayout(formatLayout(parsed.draft)).draft.groups).toEqual(parsed.draft.groups);
  });

  it('reports every syntax and meaning problem at once, each with what was expected and received', () => {
    const check = parseAndCheckLayout('Light=vad,tabular,nope x0; det=ocr-det,vad:fast bogus=1; ocr-rec; gateway=ocr-cls quota=abc +gateway=haproxy', context);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    const text = check.problems.join('\n');
    expect(text).toMatch(/variant expected :single or :workers, received ":fast"/);
    expect(text).toMatch(/option "bogus=1" unknown; expected xN/);
    expect(text).toMatch(/group 3 "ocr-rec": expected name=model/);
    expect(text).toMatch(/quota expected a positive number, received "abc"/);
    expect(text).toMatch(/gateway expected node or nginx, received "haproxy"/);
    expect(text).toMatch(/group name "Light": expected a lowercase letter/);
    expect(text).toMatch(/group name "gateway" is reserved/);
    expect(text).toMatch(/group "Light": replicas expected an integer ≥ 1, received 0/);
    expect(text).toMatch(/unknown model "nope"; expected one of the run's models: vad, tabular, ocr-cls, ocr-det, ocr-rec/);
    expect(text).toMatch(/model "vad" is in 2 groups \("Light", "det"\); expected exactly one group/);
    expect(text).toMatch(/model "ocr-rec" in no group; expected every run model in exactly one group/);
    expect(check.problems.length).toBe(11);
  });
});

describe('checkLayout', () => {
  it('flags duplicate group names, empty groups, bad resources and models outside the run', () => {
    const check = checkLayout({
      name: 'bad',
      gateway: 'none',
      groups: [
        { name: 'a', models: ['vad', 'vad'], variant: 'single', replicas: 1.5, resources: { cpus: '3-1', memoryMb: 8 } },
        { name: 'a', models: [], variant: 'single', replicas: 1, resources: { cpuQuota: 0 } },
        { name: 'b', models: ['tabular'], variant: 'single', replicas: 1, resources: {} },
      ],
    }, { models: ['vad'] });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.problems).toEqual([
      'expected each group name once, received "a" more than once',
      'group "a": expected each model once, received "vad" more than once',
      'group "a": replicas expected an integer ≥ 1, received 1.5',
      'group "a": cpus expected a CPU list such as 0-1,3 (ascending ranges), received "3-1"',
      'group "a": memory expected at least 16 MiB, received 8',
      'group "a": expected at least one model, received none',
      'group "a": CPU quota expected a number of CPUs > 0, received 0',
      'model "tabular" not among the run\'s models; expected only: vad',
    ]);
  });

  it('throws a LayoutError carrying every problem from requireLayout', () => {
    expect(() => requireLayout({ name: 'x', gateway: 'none', groups: [] }, { models: ['vad'] })).toThrow(LayoutError);
    try {
      requireLayout({ name: 'x', gateway: 'none', groups: [] }, { models: ['vad'] });
    } catch (error) {
      expect((error as LayoutError).problems).toEqual(['expected at least one group, received none', 'model "vad" in no group; expected every run model in exactly one group']);
    }
  });
});

describe('named layouts', () => {
  const spec: TopologySpec = { kind: 'monolith', variant: 'workers', models: ['vad', 'tabular'], storeDir: '/s', threads: { intraOp: 1, interOp: 1, uvThreadpool: 2 }, restartPolicy: 'always', serverCpus: [1, 0], cpuQuota: 1, memoryLimitBytes: 100_000_000 };

  it('maps each topology variant to groups built from data', () => {
    expect(layoutOfSpec(spec)).toEqual({ name: 'monolith:workers', gateway: 'none', groups: [{ name: 'monolith', models: ['vad', 'tabular'], variant: 'workers', replicas: 1, resources: { cpus: '1,0', cpuQuota: 1, memoryMb: 100_000_000 / 1048576 } }] });
    expect(layoutOfSpec({ ...spec, monolithGateway: true, gateway: 'nginx' }).gateway).toBe('nginx');
    const micro = layoutOfSpec({ ...spec, kind: 'microservices', variant: 'gateway' });
    expect(micro.gateway).toBe('node');
    expect(micro.groups.map((g) => [g.name, g.models, g.variant])).toEqual([['vad', ['vad'], 'single'], ['tabular', ['tabular'], 'single']]);
    expect(layoutOfSpec({ ...spec, kind: 'microservices', variant: 'direct' }).gateway).toBe('none');
    expect(namedLayout('monolith:single', { models: ['vad'] }).groups[0]!.variant).toBe('single');
  });

  it('prefers the spec\'s own layout', () => {
    const layout = requireLayout(parseLayout('a=vad; b=tabular x2 +gateway').draft, { models: ['vad', 'tabular'] });
    expect(layoutOfSpec({ ...spec, layout })).toBe(layout);
  });
});
