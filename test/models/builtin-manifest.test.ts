import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinModels, defaultModelNames, findModel } from '../../models/catalog.js';
import { builtinManifest } from '../../models/manifest/builtin-manifest.js';
import { modelBytes, prepareStore } from '../../models/publish.js';
import { loadModel } from '../../models/runtime.js';
import type { Tensor } from '../../models/tensor.js';

// Pinned from the hand-written TypeScript catalog the built-in manifest (models/builtin.yaml)
// replaced: each model's version-1 file and its seed-1 request, byte for byte.
const PINNED: [name: string, fileSha256: string, request1Sha256: string][] = [
  ['vad', 'a35ebf52fd3ce5f1469b2a36158dba761bc47b973ea3382b3186ca15b1f5af28', '89d81ed026688ac73557231e7052018073f72c4788bf4ac6991a2452959254de'],
  ['ocr-cls', '491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640', '034d46a1e4283d67f7e1ce7a10c6c223cef89986433135862cbf56408e4b2b95'],
  ['ocr-det', '30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff', 'fd4f318ce32ba6cf85cb076b5c8d7fed37796396d3f2d3a8c7a69a79931adf78'],
  ['ocr-rec', '06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0', 'c0b391bdf87ed0c535a4ad53295f0ed407221ecb82d32e348083aa22e8df4164'],
  ['tabular', 'b3de079c5fc1ac83ca776d0f6a57fc32d52da8d6ecb8843c8ab15b611974bb6c', '2a6a7f3300acb11313ce3071aa0fb232762ace92b13e62dc9f1dd1f069ab6061'],
  ['rms-norm', 'a01c49446272efaada5647270a9445440abe77b05994914e01451b36892de253', '4e195b91c3ef1410b8702287932eaf9b90b0a185e0b120b506e292484af6f2ed'],
  ['param-01', 'cca7b3f68b93cfd5a6924a04cde4f4d9f47befe8f3f220667caf24ceb30c6921', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
  ['param-02', 'ed3e68ce97cbbdc20591efa18546f28dd63320e91d45143fad29de4a8eba9947', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
  ['param-03', '3a82c210c4f3832e469eb31cdfdca2143bc226df691dc48f82cabc6b5288bf05', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
  ['param-04', '51820757c5db0b8924ef68a5d9d455e44b15fa89b03f313d151c00eefda18610', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
  ['param-05', '3475d6677225e1628d9165160540787d2227cc9bdad7aecd4bdcec7d94f86399', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
  ['param-06', '9d68ce31d8759c84b8a371f307ed744a506e57ecf9e8e443ee04991c7a3a2b09', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
  ['param-07', '3a58e5172e9b075805815d046e269e83a98d20eab8699f21e1d0bb9494a2c42c', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
  ['param-08', 'f82730e7a22d2e34542cfe241c0275587db106919323f0c65c9fd9a288d09867', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
  ['param-09', '5947a4c664b59f7d99ff284797f68b5049799f4b1b25ef6060bfd721dcd5aee8', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
  ['param-10', '21b10d74181b2f25e7d954c043e57cb0cfe489c42c619464bc88e5d9f7cef103', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
  ['param-11', 'f7e301c88ea4d004fb2991dc4ba21a0489199978566199e4ead65e2cdd28935f', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
  ['param-12', '85bcc3126103209074a5258f28e92e2e08bf798f2266c205ab284ce489e363cc', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
  ['param-13', 'ca383f40f88c59de9324f35f1b3f3d9754be3644c549a15437772ef60c9da1fc', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
  ['param-14', 'aa1d37c898347a6f6be3505fe50df718ab506f1f09a12c0df662bdd2774fc8d5', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
  ['param-15', 'c1819e2e0bd618885f16b3029f46ed15067160a07c854d5a7b8fd8421474003e', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
  ['param-16', '4f2ccd63f91f117d18e6935b18492ea2078443824b48766647d6a99fb5c3ec27', '8ab701c2f04e5b9d872e9a77c68e48acda751f382975bcf5fb711d9f6f58e720'],
];
// Version-2 files, seed-7 requests and seed-3 probes of every model, as one digest.
const PINNED_REST = '27142bd0a01a2c2ba1eaab8147482b6eae644d3c9b066f53d78e4fce1a7ae14c';
// What three of the models answer to their seed-1 request.
const PINNED_OUTPUTS: Record<string, string> = {
  'vad': '9315820eeb162cffdfa20fd16cdacc486176981929a35bd7323d8b79248c756c',
  'tabular': '84efd98da27d44d0600cb478b71b69200ed84f867968a4f212efd65dbc03c502',
  'ocr-cls': 'ec2c09d9397e6a97e681b24fa6d6801c77dcd794448a4ae9ccf002ee8ee3241c',
};

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const fileSha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** A digest of tensors that sees every name, shape and value. */
const tensorsSha = (tensors: Tensor[]) => sha(JSON.stringify(tensors.map((t) => ({ n: t.name, d: t.datatype, s: t.shape, v: Array.from(t.data as ArrayLike<number | bigint>, String) }))));

/** A digest of outputs: each name, shape and value. */
const outputsSha = (tensors: Tensor[]) => sha(JSON.stringify(tensors.map((t) => [t.name, t.shape, Array.from(t.data as ArrayLike<number | bigint>, String)])));

const store = mkdtempSync(join(tmpdir(), 'splitbench-builtin-'));
afterAll(() => rmSync(store, { recursive: true, force: true }));

describe('the built-in manifest', () => {
  it('passes the full check: every packaged file hashes to its pin and matches its declared graph', () => {
    const manifest = builtinManifest('files');
    expect(manifest.models.map((m) => m.entry.name)).toEqual(PINNED.map(([name]) => name));
    for (const model of manifest.models.filter((m) => m.entry.package)) expect(model.sha256).toBe(model.entry.sha256);
  });

  it('reproduces the earlier catalog: the same models in the same order, the same files and the same requests', () => {
    expect(builtinModels().map((m) => m.name)).toEqual(PINNED.map(([name]) => name));
    expect(defaultModelNames()).toEqual(['vad', 'ocr-cls', 'ocr-det', 'ocr-rec', 'tabular']);
    for (const [name, file, request] of PINNED) {
      const spec = findModel(name)!;
      expect([name, fileSha(modelBytes(spec, 1)), tensorsSha(spec.sampleInputs(1))]).toEqual([name, file, request]);
    }
    const rest = builtinModels().map((m) => [m.name, fileSha(modelBytes(m, 2)), tensorsSha(m.sampleInputs(7)), m.probeInputs ? tensorsSha(m.probeInputs(3)) : null]);
    expect(sha(JSON.stringify(rest))).toBe(PINNED_REST);
  });

  it('gives the same outputs as the earlier catalog', async () => {
    for (const [name, expected] of Object.entries(PINNED_OUTPUTS)) {
      const spec = findModel(name)!;
      prepareStore(store, [spec]);
      const model = await loadModel(spec, store, 1, undefined, 0);
      try {
        expect([name, outputsSha(await model.run(spec.sampleInputs(1)))]).toEqual([name, expected]);
      } finally {
        await model.release();
      }
    }
  });
});
